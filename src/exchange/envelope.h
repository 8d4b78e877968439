// Sealed envelopes for the data exchange with Macao and the zone's partners:
// signed by the sender (Ed25519) and sealed to the recipient (X25519 +
// XSalsa20-Poly1305, libsodium's crypto_box with a precomputed shared key).
//
// An envelope is one JSON object:
//   {"v":1,"from":"HENGQIN-CUSTOMS","to":"MACAO-CUSTOMS","id":"m-17",
//    "kind":"joint_inspection","at":"2024-05-03T08:16:02+08:00",
//    "nonce":"<base64url 24 bytes>","box":"<base64url ciphertext>","sig":"<base64url 64 bytes>"}
// The signature covers every other field (the text "zonegate envelope 1" and
// each field on its own line, in the order above), so nothing can be moved,
// re-addressed or re-dated without breaking it; the box authenticates the body
// to the pair of keys. Opening checks the signature first, then decrypts.
#pragma once

#include <array>
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
// mode 0600 (refused if others may read it), written durably.
Status write_party_keys(const std::string& path, const PartyKeys& keys);
Result<PartyKeys> read_party_keys(const std::string& path);

// The shared key for a pair (crypto_box_beforenm): compute once per partner,
// then seal and open without the X25519 multiplication each time.
SharedKey shared_key(const BoxSecretKey& mine, const BoxPublicKey& theirs);

struct Letter {
  std::string to;
  std::string id;    // unique per sender: the recipient refuses a repeat
  std::string kind;  // e.g. "joint_inspection", "declaration_summary", "tree_head"
  std::string at;    // RFC 3339
  std::string body;  // JSON text
};

// Seals and signs. `shared` is shared_key(sender's box secret, recipient's box public).
std::string seal(const PartyKeys& sender, const SharedKey& shared, const Letter& letter);

// What an opened envelope says.
struct Opened {
  std::string from, to, id, kind, at, body;
};

// Reads an envelope's header without checking it (to pick the sender's keys).
Result<Opened> peek(std::string_view envelope);
// Checks the signature with the sender's public signing key and opens the
// box with `shared` (shared_key(recipient's box secret, sender's box
// public)); `recipient` must be the envelope's "to". Every failure is an
// error saying what: malformed, wrong recipient, bad signature, cannot open.
Result<Opened> open(std::string_view envelope, const PartyPublic& sender,
                    std::string_view recipient, const SharedKey& shared);

}  // namespace zg::exchange
