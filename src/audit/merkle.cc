#include "audit/merkle.h"

#include <bit>
#include <cstring>

#include "core/hex.h"
#include "core/sha256.h"

namespace zg::audit {
namespace {

// The largest power of two strictly below n (n >= 2): RFC 6962's split.
uint64_t split(uint64_t n) {
  return std::bit_floor(n - 1);
}

Status fail(std::string message) {
  return Status(ErrorCode::kInvalidField, "", std::move(message));
}

}  // namespace

Hash leaf_hash(std::string_view entry) {
  return zg::leaf_hash(entry);
}

Hash node_hash(const Hash& left, const Hash& right) {
  char buffer[65];
  buffer[0] = 0x01;
  std::memcpy(buffer + 1, left.data(), 32);
  std::memcpy(buffer + 33, right.data(), 32);
  return sha256(std::string_view(buffer, sizeof buffer));
}

Hash empty_root() {
  return sha256("");
}

std::string hash_hex(const Hash& hash) {
  return to_hex(hash);
}

Result<Hash> parse_hash(std::string_view hex) {
  if (hex.size() != 64) {
    return Result<Hash>(
        ErrorCode::kInvalidField, "",
        "a hash is 64 hex digits (32 bytes), not " + std::to_string(hex.size()) + " characters");
  }
  Hash out{};
  if (!hex_decode(hex, out.data(), out.size())) {
    return Result<Hash>(ErrorCode::kInvalidField, "", "a hash is 64 lowercase hex digits");
  }
  return out;
}

void MerkleTree::reserve(uint64_t leaves) {
  for (uint64_t level = 0, n = leaves; n > 0; ++level, n /= 2) {
    if (levels_.size() <= level) levels_.emplace_back();
    levels_[level].reserve(n);
  }
}

void MerkleTree::append(const Hash& leaf) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf);
  // Each level whose count becomes even has completed a subtree one level up.
  for (size_t level = 0; levels_[level].size() % 2 == 0; ++level) {
    if (levels_.size() == level + 1) levels_.emplace_back();
    const std::vector<Hash>& below = levels_[level];
    levels_[level + 1].push_back(node_hash(below[below.size() - 2], below.back()));
  }
}

Hash MerkleTree::subtree(uint64_t start, uint64_t count) const {
  if (std::has_single_bit(count) && start % count == 0) {
    return levels_[static_cast<size_t>(std::countr_zero(count))][start / count];
  }
  const uint64_t k = split(count);
  return node_hash(subtree(start, k), subtree(start + k, count - k));
}

Hash MerkleTree::root(uint64_t size) const {
  return size == 0 ? empty_root() : subtree(0, size);
}

void MerkleTree::path(uint64_t index, uint64_t start, uint64_t count,
                      std::vector<Hash>& out) const {
  if (count <= 1) return;
  const uint64_t k = split(count);
  if (index < k) {
    path(index, start, k, out);
    out.push_back(subtree(start + k, count - k));
  } else {
    path(index - k, start + k, count - k, out);
    out.push_back(subtree(start, k));
  }
}

Result<std::vector<Hash>> MerkleTree::inclusion_proof(uint64_t index, uint64_t size) const {
  if (size > this->size()) {
    return Result<std::vector<Hash>>(
        ErrorCode::kInvalidField, "size",
        "the log has " + std::to_string(this->size()) + " entries, not " + std::to_string(size));
  }
  if (index >= size) {
    return Result<std::vector<Hash>>(
        ErrorCode::kInvalidField, "index",
        "index " + std::to_string(index) + " is not in a tree of " + std::to_string(size));
  }
  std::vector<Hash> out;
  path(index, 0, size, out);
  return out;
}

void MerkleTree::subproof(uint64_t m, uint64_t start, uint64_t count, bool whole,
                          std::vector<Hash>& out) const {
  if (m == count) {
    if (!whole) out.push_back(subtree(start, count));
    return;
  }
  const uint64_t k = split(count);
  if (m <= k) {
    subproof(m, start, k, whole, out);
    out.push_back(subtree(start + k, count - k));
  } else {
    subproof(m - k, start + k, count - k, false, out);
    out.push_back(subtree(start, k));
  }
}

Result<std::vector<Hash>> MerkleTree::consistency_proof(uint64_t size1, uint64_t size2) const {
  if (size2 > size()) {
    return Result<std::vector<Hash>>(
        ErrorCode::kInvalidField, "size2",
        "the log has " + std::to_string(size()) + " entries, not " + std::to_string(size2));
  }
  if (size1 == 0 || size1 > size2) {
    return Result<std::vector<Hash>>(ErrorCode::kInvalidField, "size1",
                                     "a consistency proof is from a size of 1 to size2 (" +
                                         std::to_string(size2) + "), not from " +
                                         std::to_string(size1));
  }
  std::vector<Hash> out;
  if (size1 < size2) subproof(size1, 0, size2, true, out);
  return out;
}

Status verify_inclusion(uint64_t index, uint64_t size, const Hash& leaf,
                        const std::vector<Hash>& proof, const Hash& root) {
  if (index >= size) {
    return fail("index " + std::to_string(index) + " is not in a tree of " + std::to_string(size));
  }
  uint64_t fn = index, sn = size - 1;
  Hash r = leaf;
  for (const Hash& p : proof) {
    if (sn == 0) return fail("the proof has more hashes than a tree of this size needs");
    if ((fn & 1) != 0 || fn == sn) {
      r = node_hash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return fail("the proof has fewer hashes than a tree of this size needs");
  if (r != root) return fail("the proof does not lead to the root");
  return Status::ok();
}

Status verify_consistency(uint64_t size1, uint64_t size2, const Hash& root1, const Hash& root2,
                          const std::vector<Hash>& proof) {
  if (size1 == 0) return fail("a consistency proof from size 0 proves nothing");
  if (size1 > size2) return fail("size1 is larger than size2");
  if (size1 == size2) {
    if (!proof.empty()) return fail("between equal sizes the proof must be empty");
    if (root1 != root2) return fail("the two roots of the same size differ");
    return Status::ok();
  }
  if (proof.empty()) return fail("the proof is empty");
  // When size1 is a power of two its root is the first node of the path.
  std::vector<Hash> path;
  path.reserve(proof.size() + 1);
  if (std::has_single_bit(size1)) path.push_back(root1);
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = size1 - 1, sn = size2 - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return fail("the proof has more hashes than these sizes need");
    if ((fn & 1) != 0 || fn == sn) {
      fr = node_hash(c, fr);
      sr = node_hash(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = node_hash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return fail("the proof has fewer hashes than these sizes need");
  if (fr != root1) return fail("the proof does not lead to the first root");
  if (sr != root2) return fail("the proof does not lead to the second root");
  return Status::ok();
}

}  // namespace zg::audit
