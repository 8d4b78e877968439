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

// {"zone","size","root","timestamp_ms","signature"} (hex), and back.
std::string tree_head_json(const TreeHead& head);
Result<TreeHead> parse_tree_head_json(std::string_view json);

StoredTreeHead to_stored(const TreeHead& head);
TreeHead from_stored(const StoredTreeHead& stored, std::string zone);

// Lowercase hex of any bytes, and its strict inverse (64 bytes for a signature).
std::string bytes_hex(const unsigned char* data, size_t size);
Result<gate::Signature> parse_signature(std::string_view hex);
Result<gate::PublicKey> parse_public_key(std::string_view hex);

}  // namespace zg::audit
