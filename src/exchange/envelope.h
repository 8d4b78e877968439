// Sealed envelopes for the data exchange with Macao and the zone's partners:
// signed by the sender (Ed25519) and sealed to the recipient (X25519 +
// XSalsa20-Poly1305, libsodium's crypto_box with a precomputed shared key).
//
// An envelope is one JSON object:
//   {"v":2,"from":"HENGQIN-CUSTOMS","to":"MACAO-CUSTOMS","id":"m-17",
//    "kind":"joint_inspection","at":"2024-05-03T08:16:02+08:00",
//    "nonce":"<base64url 24 bytes>","box":"<base64url>"}
// Sign, then seal: the sender signs the text "zonegate envelope 2" and then
// from, to, id, kind, at, both parties' box public keys (hex), each on its own
// line, followed by the body; the box holds that signature and the body. So
// the header cannot be changed, re-addressed or re-dated, nobody can strip the
// signature and claim the box as theirs, only the recipient sees the
// signature, and the recipient can show a third party what the sender said.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "gate/credential.h"

namespace zg::exchange {

using BoxPublicKey = std::array<unsigned char, 32>;
using BoxSecretKey = std::array<unsigned char, 32>;
using SharedKey = std::array<unsigned char, 32>;

// A party's two key pairs: Ed25519 to sign, X25519 to seal.
struct PartyKeys {
  std::string name;  // the party's id in envelopes ("HENGQIN-CUSTOMS")
  gate::SigningKey sign;
  BoxSecretKey box_secret{};
  BoxPublicKey box_public{};
};

// What others need to know of a party.
struct PartyPublic {
  std::string name;
  gate::PublicKey sign{};
  BoxPublicKey box{};
};

// A new party (keys from the operating system's CSPRNG).
PartyKeys generate_party(std::string name);
PartyPublic public_of(const PartyKeys& keys);

// Key files: "zonegate-exchange-key 1 <name> <ed25519 seed hex> <x25519 secret hex>\n",
// mode 0600 (refused if others may read it), written durably; an existing
// file is never replaced (a secret key would be lost).
Status write_party_keys(const std::string& path, const PartyKeys& keys);
Result<PartyKeys> read_party_keys(const std::string& path);

// The shared key for a pair (crypto_box_beforenm): compute once per partner,
// then seal and open without the X25519 multiplication each time. Refuses a
// public key libsodium rejects (all zeros, small order): the "shared" key
// would be one everybody knows.
Result<SharedKey> shared_key(const BoxSecretKey& mine, const BoxPublicKey& theirs);

struct Letter {
  std::string to;
  std::string id;    // unique per sender: the recipient refuses a repeat
  std::string kind;  // e.g. "joint_inspection", "declaration_summary", "tree_head"
  std::string at;    // RFC 3339
  std::string body;  // JSON text
};

// Seals and signs. `shared` is shared_key(sender's box secret, recipient's
// box public). The signature also covers both parties' box keys, so nobody
// can re-sign another sender's box as their own (an unknown-key-share).
// Errors: a header field that is empty or holds a line break.
Result<std::string> seal(const PartyKeys& sender, const BoxPublicKey& recipient_box,
                         const SharedKey& shared, const Letter& letter);

// What an opened envelope says.
struct Opened {
  std::string from, to, id, kind, at, body;
};

// Reads an envelope's header without checking it (to pick the sender's keys).
Result<Opened> peek(std::string_view envelope);
// Checks the signature with the sender's public keys and opens the box with
// `shared` (shared_key(recipient's box secret, sender's box public));
// `recipient` is the opener, whose name must be the envelope's "to". Every
// failure is an error saying what: malformed, wrong recipient, bad
// signature, cannot open.
Result<Opened> open(std::string_view envelope, const PartyPublic& sender,
                    const PartyPublic& recipient, const SharedKey& shared);

// A partner's inbox address, "http://HOST:PORT/PATH" (at most 256 bytes, no
// blanks, a numeric port): what register_partner accepts and the courier
// connects to. nullopt for anything else.
struct InboxAddress {
  std::string host, port, target;
};
std::optional<InboxAddress> parse_inbox_address(std::string_view url);

// A receipt: the recipient's Ed25519 signature over
//   "zonegate receipt 1\n<from>\n<to>\n<id>\n<content hex>\n"
// where content is message_content(kind, body). The inbox answers with it
// and the sender's courier checks it before it records the message as
// delivered, so an acknowledgement cannot be forged on the way, and the
// sender holds proof of what the partner received.
std::array<unsigned char, 32> message_content(std::string_view kind, std::string_view body);
std::string receipt_text(std::string_view from, std::string_view to, std::string_view id,
                         const std::array<unsigned char, 32>& content);

}  // namespace zg::exchange
