// The Merkle log over the journal, exactly as RFC 6962 / RFC 9162 §2.1
// define it: SHA-256, a leaf hashed as 0x00 || entry, an interior node as
// 0x01 || left || right, a tree of n leaves split at the largest power of two
// below n. Inclusion proofs (§2.1.3) and consistency proofs (§2.1.4), and
// their verification, which needs nothing but hashes.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace zg::audit {

using Hash = std::array<unsigned char, 32>;

Hash leaf_hash(std::string_view entry);
Hash node_hash(const Hash& left, const Hash& right);
Hash empty_root();  // SHA-256 of nothing: the root of the empty tree

// Lowercase hex; parse_hash refuses anything but exactly 64 hex digits.
std::string hash_hex(const Hash& hash);
Result<Hash> parse_hash(std::string_view hex);

// A tree that grows one leaf at a time and keeps every complete subtree's
// hash (level k holds the hashes of the aligned subtrees of 2^k leaves), so
// any root, inclusion or consistency proof for any earlier size needs only
// O(log n) stored hashes and no hashing of leaves. About 64 bytes a leaf.
class MerkleTree {
 public:
  void append(const Hash& leaf);  // amortised two hashes a leaf
  uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  void reserve(uint64_t leaves);

  // The root of the first `size` leaves (size <= this->size()).
  Hash root(uint64_t size) const;
  Hash root() const { return root(size()); }
  // PATH(index, D[0:size]): errors (kInvalidField) when index >= size or
  // size > this->size().
  Result<std::vector<Hash>> inclusion_proof(uint64_t index, uint64_t size) const;
  // PROOF(size1, D[0:size2]): errors when size1 == 0, size1 > size2 or
  // size2 > this->size().
  Result<std::vector<Hash>> consistency_proof(uint64_t size1, uint64_t size2) const;
  const Hash& leaf(uint64_t index) const { return levels_[0][index]; }

 private:
  // The hash of leaves [start, start + count), count >= 1.
  Hash subtree(uint64_t start, uint64_t count) const;
  void path(uint64_t index, uint64_t start, uint64_t count, std::vector<Hash>& out) const;
  void subproof(uint64_t m, uint64_t start, uint64_t count, bool whole,
                std::vector<Hash>& out) const;
  std::vector<std::vector<Hash>> levels_;
};

// RFC 9162 §2.1.3.2. OK when `proof` shows the leaf with `leaf` hash at
// `index` in the tree of `size` leaves with `root`; otherwise an error
// (kInvalidField) saying what does not hold.
Status verify_inclusion(uint64_t index, uint64_t size, const Hash& leaf,
                        const std::vector<Hash>& proof, const Hash& root);
// RFC 9162 §2.1.4.2. A proof from size 0 is an error; from n to n it holds
// only when the proof is empty and the roots are equal.
Status verify_consistency(uint64_t size1, uint64_t size2, const Hash& root1, const Hash& root2,
                          const std::vector<Hash>& proof);

}  // namespace zg::audit
