// Merkle audit proofs (RFC 9162), as an auditor or partner checks them. A
// tree of 1 to 64 leaves is built from the input; a genuine inclusion proof
// and a genuine consistency proof are taken, then changed as the input says
// (a bit of one hash flipped, a hash dropped or added, the leaf's index
// moved). Soundness both ways: every genuine proof holds, and every changed
// one is refused. Hex hashes as they arrive (parse_hash) are read too.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audit/merkle.h"
#include "fuzz_check.h"

namespace {

// Reads the input a byte at a time; zeros once it runs out.
class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t next() { return at_ < size_ ? data_[at_++] : 0; }
  std::string_view rest() const {
    return {reinterpret_cast<const char*>(data_) + at_, size_ - at_};
  }

 private:
  const uint8_t* data_;
  size_t size_, at_ = 0;
};

// Changes a proof (or the leaf's index) as `how` says; false when the
// change happens to be no change (the proof is then checked as genuine).
// Sizes are never moved: a root does not bind its tree's size (the signed
// tree head does), and a path for (0, 13) also fits a tree of 16 leaves
// whose right half hashes as the 13-leaf tree's does — found by this
// target, kept in fuzz/regressions/merkle_proof/.
bool tamper(uint8_t how, Bytes& in, std::vector<zg::audit::Hash>& proof, uint64_t* index) {
  switch (how % (index != nullptr ? 5 : 4)) {
    case 0: return false;
    case 1: {  // flip a bit of one hash
      if (proof.empty()) return false;
      const uint8_t bit = in.next();
      proof[in.next() % proof.size()][bit % 32] ^= static_cast<uint8_t>(1u << (bit % 8));
      return true;
    }
    case 2:  // drop a hash
      if (proof.empty()) return false;
      proof.erase(proof.begin() + in.next() % proof.size());
      return true;
    case 3: {  // add one
      zg::audit::Hash extra{};
      extra[0] = in.next();
      proof.insert(proof.begin() + in.next() % (proof.size() + 1), extra);
      return true;
    }
    default:  // move the leaf's index
      *index += 1 + in.next() % 4;
      return true;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes in(data, size);
  const uint64_t leaves = 1 + in.next() % 64;
  zg::audit::MerkleTree tree;
  for (uint64_t i = 0; i < leaves; ++i) {
    tree.append(zg::audit::leaf_hash(std::to_string(i) + ":" + std::to_string(in.next())));
  }

  // Inclusion of leaf `index` in the tree of `tree_size` leaves.
  const uint64_t tree_size = 1 + in.next() % leaves;
  uint64_t index = in.next() % tree_size;
  const zg::audit::Hash root = tree.root(tree_size);
  const zg::audit::Hash leaf = tree.leaf(index);
  std::vector<zg::audit::Hash> path = tree.inclusion_proof(index, tree_size).value();
  const bool changed = tamper(in.next(), in, path, &index);
  const zg::Status inclusion = zg::audit::verify_inclusion(index, tree_size, leaf, path, root);
  zg::fuzz::check(inclusion.is_ok() != changed,
                  changed ? "a changed inclusion proof is refused" : "an inclusion proof holds");

  // Consistency of the tree of `size1` leaves with that of `size2`.
  const uint64_t size2 = 1 + in.next() % leaves;
  const uint64_t size1 = 1 + in.next() % size2;
  const zg::audit::Hash root1 = tree.root(size1), root2 = tree.root(size2);
  std::vector<zg::audit::Hash> proof = tree.consistency_proof(size1, size2).value();
  const bool moved = tamper(in.next(), in, proof, nullptr);
  const zg::Status consistent = zg::audit::verify_consistency(size1, size2, root1, root2, proof);
  zg::fuzz::check(consistent.is_ok() != moved,
                  moved ? "a changed consistency proof is refused" : "a consistency proof holds");

  // Hex as it arrives: 64 hex digits, or refused; what parses prints back (lower case).
  const std::string_view text = in.rest();
  const zg::Result<zg::audit::Hash> parsed = zg::audit::parse_hash(text);
  if (parsed.is_ok()) {
    std::string lower(text);
    for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
    zg::fuzz::check(zg::audit::hash_hex(*parsed) == lower, "a parsed hash prints back");
  }
  return 0;
}
