#include "audit/tree_head.h"

#include "core/hex.h"
#include "core/json.h"

namespace zg::audit {
namespace {

template <size_t N>
Result<std::array<unsigned char, N>> parse_bytes(std::string_view hex, const char* what) {
  if (hex.size() != 2 * N) {
    return Result<std::array<unsigned char, N>>(ErrorCode::kInvalidField, "",
                                                std::string(what) + " is " + std::to_string(2 * N) +
                                                    " hex digits, not " +
                                                    std::to_string(hex.size()));
  }
  std::array<unsigned char, N> out{};
  if (!hex_decode(hex, out.data(), N)) {
    return Result<std::array<unsigned char, N>>(ErrorCode::kInvalidField, "",
                                                std::string(what) + " is lowercase hex");
  }
  return out;
}

}  // namespace

std::string bytes_hex(const unsigned char* data, size_t size) {
  return hex_encode(data, size);
}

Result<gate::Signature> parse_signature(std::string_view hex) {
  return parse_bytes<64>(hex, "a signature");
}
Result<gate::PublicKey> parse_public_key(std::string_view hex) {
  return parse_bytes<32>(hex, "a public key");
}

std::string tree_head_message(const TreeHead& head) {
  return "zonegate tree head 1\n" + head.zone + "\n" + std::to_string(head.size) + "\n" +
         std::to_string(head.timestamp_ms) + "\n" + hash_hex(head.root) + "\n";
}

TreeHead sign_tree_head(const gate::SigningKey& key, std::string zone, uint64_t size,
                        const Hash& root, int64_t timestamp_ms) {
  TreeHead head{std::move(zone), size, root, timestamp_ms, {}};
  head.signature = key.sign(tree_head_message(head));
  return head;
}

Status verify_tree_head(const TreeHead& head, const gate::PublicKey& public_key) {
  if (!gate::verify_signature(tree_head_message(head), head.signature, public_key)) {
    return Status(ErrorCode::kInvalidField, "",
                  "the tree head's signature does not hold for this public key");
  }
  return Status::ok();
}

std::string cosignature_message(const TreeHead& head) {
  return "zonegate cosignature 1\n" + tree_head_message(head);
}

Cosignature cosign_tree_head(const gate::SigningKey& witness_key, const TreeHead& head) {
  return Cosignature{witness_key.public_key(), witness_key.sign(cosignature_message(head))};
}

bool verify_cosignature(const TreeHead& head, const Cosignature& cosignature) {
  return gate::verify_signature(cosignature_message(head), cosignature.signature,
                                cosignature.witness);
}

Result<std::vector<Cosignature>> parse_cosignatures_json(std::string_view json) {
  JsonDocument doc;
  Status parsed = doc.parse(json);
  if (!parsed.is_ok()) return parsed;
  std::vector<Cosignature> out;
  const JsonRef list = doc.root().get("cosignatures");
  if (!list.exists()) return out;
  if (!list.is_array()) {
    return Result<std::vector<Cosignature>>(ErrorCode::kInvalidField, "cosignatures",
                                            "cosignatures must be a list");
  }
  for (JsonRef item : list) {
    Result<gate::PublicKey> witness = parse_public_key(item.get("witness").text());
    Result<gate::Signature> signature = parse_signature(item.get("signature").text());
    if (!witness.is_ok()) return witness.status();
    if (!signature.is_ok()) return signature.status();
    out.push_back(Cosignature{*witness, *signature});
  }
  return out;
}

std::string tree_head_json(const TreeHead& head) {
  std::string out;
  JsonWriter w(out);
  w.begin_object()
      .field("zone", head.zone)
      .field("size", static_cast<int64_t>(head.size))
      .field("root", hash_hex(head.root))
      .field("timestamp_ms", head.timestamp_ms)
      .field("signature", bytes_hex(head.signature.data(), head.signature.size()))
      .end_object();
  return out;
}

Result<TreeHead> parse_tree_head_json(std::string_view json) {
  JsonDocument doc;
  Status parsed = doc.parse(json);
  if (!parsed.is_ok()) return parsed;
  const JsonRef r = doc.root();
  const auto whole = [&](const char* key, int64_t& out) {
    const JsonRef v = r.get(key);
    if (!v.exists() || v.kind() != JsonKind::kNumber) return false;
    Result<int64_t> n = parse_fixed(v.text(), 0, INT64_MAX, false);
    if (!n.is_ok()) return false;
    out = *n;
    return true;
  };
  int64_t size = 0, timestamp = 0;
  if (!r.is_object() || !r.get("zone").is_string() || !whole("size", size) ||
      !whole("timestamp_ms", timestamp) || !r.get("root").is_string() ||
      !r.get("signature").is_string()) {
    return Result<TreeHead>(ErrorCode::kInvalidField, "",
                            "a tree head is {\"zone\", \"size\", \"root\", \"timestamp_ms\", "
                            "\"signature\"}");
  }
  Result<Hash> root = parse_hash(r.get("root").text());
  if (!root.is_ok()) return root.status();
  Result<gate::Signature> signature = parse_signature(r.get("signature").text());
  if (!signature.is_ok()) return signature.status();
  return TreeHead{std::string(r.get("zone").text()), static_cast<uint64_t>(size), *root, timestamp,
                  *signature};
}

StoredTreeHead to_stored(const TreeHead& head) {
  return StoredTreeHead{head.size, head.root, head.timestamp_ms, head.signature};
}

TreeHead from_stored(const StoredTreeHead& stored, std::string zone) {
  return TreeHead{std::move(zone), stored.size, stored.root, stored.timestamp_ms, stored.signature};
}

}  // namespace zg::audit
