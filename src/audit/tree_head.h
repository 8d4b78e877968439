// Signed tree heads: the zone's Ed25519 signature over the Merkle root of its
// first `size` journal entries and the time it was signed. Anyone holding the
// zone's public key can check one offline; with a tree head, an inclusion
// proof shows an entry was recorded, and a consistency proof between two
// heads that nothing before the first was changed since.
//
// The signed bytes (a text so a person can check them by hand):
//   "zonegate tree head 1\n<zone>\n<size>\n<timestamp_ms>\n<root hex>\n"
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "audit/merkle.h"
#include "core/status.h"
#include "gate/credential.h"
#include "store/journal_store.h"

namespace zg::audit {

struct TreeHead {
  std::string zone;  // the pack's zone id ("hengqin")
  uint64_t size = 0;
  Hash root{};
  int64_t timestamp_ms = 0;  // unix milliseconds, when it was signed
  gate::Signature signature{};
};

std::string tree_head_message(const TreeHead& head);
TreeHead sign_tree_head(const gate::SigningKey& key, std::string zone, uint64_t size,
                        const Hash& root, int64_t timestamp_ms);
// OK when the signature holds; kInvalidField saying so otherwise.
Status verify_tree_head(const TreeHead& head, const gate::PublicKey& public_key);

// A witness's countersignature of a tree head: the witness's Ed25519
// signature over "zonegate cosignature 1\n" followed by the head's own signed
// text. A witness signs only after checking the head is consistent with the
// last one it signed (zonegate audit cosign), so k witnesses' signatures
// on a head mean the zone showed the same history to all of them.
struct Cosignature {
  gate::PublicKey witness{};
  gate::Signature signature{};
};
std::string cosignature_message(const TreeHead& head);
Cosignature cosign_tree_head(const gate::SigningKey& witness_key, const TreeHead& head);
bool verify_cosignature(const TreeHead& head, const Cosignature& cosignature);

// {"zone","size","root","timestamp_ms","signature"} (hex), and back.
std::string tree_head_json(const TreeHead& head);
Result<TreeHead> parse_tree_head_json(std::string_view json);
// The "cosignatures": [{"witness", "signature"}] a head's JSON may carry;
// malformed entries are an error.
Result<std::vector<Cosignature>> parse_cosignatures_json(std::string_view json);

StoredTreeHead to_stored(const TreeHead& head);
TreeHead from_stored(const StoredTreeHead& stored, std::string zone);

// Lowercase hex of any bytes, and its strict inverse (64 bytes for a signature).
std::string bytes_hex(const unsigned char* data, size_t size);
Result<gate::Signature> parse_signature(std::string_view hex);
Result<gate::PublicKey> parse_public_key(std::string_view hex);

}  // namespace zg::audit
