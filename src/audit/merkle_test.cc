// The Merkle log against RFC 6962's vectors (../shared/data/merkle, from the
// transparency-dev/certificate-transparency test suites), then our own
// properties and refusals: every proof of every size up to 70 verifies, and
// every damaged one fails.
#include "audit/merkle.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/json.h"
#include "core/sha256.h"

namespace zg::audit {
namespace {

std::string bytes_of_hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

Hash h(std::string_view hex) {
  Result<Hash> parsed = parse_hash(hex);
  EXPECT_TRUE(parsed.is_ok()) << hex;
  return parsed.is_ok() ? *parsed : Hash{};
}

std::vector<Hash> hashes(JsonRef list) {
  std::vector<Hash> out;
  if (!list.is_array()) return out;  // null: an empty proof
  for (JsonRef item : list) out.push_back(h(item.text()));
  return out;
}

class Vectors : public testing::Test {
 protected:
  void SetUp() override {
    const std::string path =
        std::string(ZG_SOURCE_DIR) + "/../shared/data/merkle/rfc6962_vectors.json";
    std::ifstream in(path);
    ASSERT_TRUE(in) << "the RFC 6962 vectors are missing: " << path;
    std::stringstream text;
    text << in.rdbuf();
    ASSERT_TRUE(doc_.parse(text.str()).is_ok());
    for (JsonRef leaf : root().get("leaf_inputs_hex")) {
      tree_.append(leaf_hash(bytes_of_hex(leaf.text())));
    }
  }
  JsonRef root() const { return doc_.root(); }
  JsonDocument doc_;
  MerkleTree tree_;
};

TEST_F(Vectors, HasherVectors) {
  JsonRef v = root().get("hasher_vectors");
  auto it = v.begin();
  EXPECT_EQ(hash_hex(empty_root()), (*it).get("expected").text());
  ++it;
  EXPECT_EQ(hash_hex(leaf_hash("")), (*it).get("expected").text());
  ++it;
  EXPECT_EQ(hash_hex(leaf_hash("L123456")), (*it).get("expected").text());
  ++it;
  // node_hash takes 32-byte children; the vector's are short strings, so
  // the same definition is applied by hand: SHA-256(0x01 || "N123" || "N456").
  EXPECT_EQ(to_hex(sha256(std::string("\x01") + "N123" + "N456")), (*it).get("expected").text());
}

TEST_F(Vectors, NodeHashesByLevel) {
  // Level L, entry i: the subtree of leaves [i * 2^L, (i + 1) * 2^L).
  uint64_t width = 1;
  for (JsonRef level : root().get("node_hashes_by_level")) {
    uint64_t index = 0;
    for (JsonRef expected : level) {
      MerkleTree sub;
      for (uint64_t leaf = index * width; leaf < (index + 1) * width; ++leaf) {
        sub.append(tree_.leaf(leaf));
      }
      EXPECT_EQ(hash_hex(sub.root()), expected.text()) << "width " << width << " index " << index;
      ++index;
    }
    width *= 2;
  }
}

TEST_F(Vectors, RootsForSizesZeroToEight) {
  for (JsonRef entry : root().get("root_by_tree_size")) {
    const uint64_t size = std::stoull(std::string(entry.key()));
    EXPECT_EQ(hash_hex(tree_.root(size)), entry.text()) << "size " << size;
  }
}

TEST_F(Vectors, InclusionProofs) {
  for (JsonRef v : root().get("inclusion_proofs")) {
    const uint64_t index = std::stoull(std::string(v.get("leaf_index_0based").text()));
    const uint64_t size = std::stoull(std::string(v.get("tree_size").text()));
    Result<std::vector<Hash>> proof = tree_.inclusion_proof(index, size);
    ASSERT_TRUE(proof.is_ok());
    EXPECT_EQ(*proof, hashes(v.get("proof"))) << index << " of " << size;
    EXPECT_TRUE(verify_inclusion(index, size, tree_.leaf(index), *proof, tree_.root(size)).is_ok());
  }
}

TEST_F(Vectors, ConsistencyProofs) {
  for (JsonRef v : root().get("consistency_proofs")) {
    const uint64_t size1 = std::stoull(std::string(v.get("size1").text()));
    const uint64_t size2 = std::stoull(std::string(v.get("size2").text()));
    Result<std::vector<Hash>> proof = tree_.consistency_proof(size1, size2);
    ASSERT_TRUE(proof.is_ok());
    EXPECT_EQ(*proof, hashes(v.get("proof"))) << size1 << " to " << size2;
    EXPECT_TRUE(
        verify_consistency(size1, size2, tree_.root(size1), tree_.root(size2), *proof).is_ok());
  }
}

TEST_F(Vectors, HappyPathsFromTheirTestData) {
  for (JsonRef v : root().get("testdata_happy_paths_hex")) {
    const std::vector<Hash> proof = hashes(v.get("proof"));
    if (v.get("size1").exists()) {
      EXPECT_TRUE(verify_consistency(std::stoull(std::string(v.get("size1").text())),
                                     std::stoull(std::string(v.get("size2").text())),
                                     h(v.get("root1").text()), h(v.get("root2").text()), proof)
                      .is_ok())
          << v.get("file").text();
    } else {
      EXPECT_TRUE(verify_inclusion(std::stoull(std::string(v.get("leafIdx").text())),
                                   std::stoull(std::string(v.get("treeSize").text())),
                                   h(v.get("leafHash").text()), proof, h(v.get("root").text()))
                      .is_ok())
          << v.get("file").text();
    }
  }
}

// A tree of n distinct leaves.
MerkleTree tree_of(uint64_t n) {
  MerkleTree tree;
  for (uint64_t i = 0; i < n; ++i) tree.append(leaf_hash("entry " + std::to_string(i)));
  return tree;
}

// The root by the definition (recursive split), for comparison.
Hash root_by_definition(const MerkleTree& tree, uint64_t start, uint64_t count) {
  if (count == 1) return tree.leaf(start);
  uint64_t k = 1;
  while (k * 2 < count) k *= 2;
  return node_hash(root_by_definition(tree, start, k),
                   root_by_definition(tree, start + k, count - k));
}

TEST(Merkle, EveryProofOfEverySizeUpTo70Verifies) {
  const MerkleTree tree = tree_of(70);
  for (uint64_t size = 1; size <= 70; ++size) {
    const Hash root = tree.root(size);
    ASSERT_EQ(root, root_by_definition(tree, 0, size)) << size;
    for (uint64_t index = 0; index < size; ++index) {
      Result<std::vector<Hash>> proof = tree.inclusion_proof(index, size);
      ASSERT_TRUE(proof.is_ok());
      ASSERT_TRUE(verify_inclusion(index, size, tree.leaf(index), *proof, root).is_ok())
          << index << " of " << size;
    }
    for (uint64_t size1 = 1; size1 <= size; ++size1) {
      Result<std::vector<Hash>> proof = tree.consistency_proof(size1, size);
      ASSERT_TRUE(proof.is_ok());
      ASSERT_TRUE(verify_consistency(size1, size, tree.root(size1), root, *proof).is_ok())
          << size1 << " to " << size;
    }
  }
}

TEST(Merkle, DamagedInclusionProofsFail) {
  const MerkleTree tree = tree_of(37);
  for (uint64_t index : {0u, 5u, 17u, 31u, 32u, 36u}) {
    const std::vector<Hash> proof = *tree.inclusion_proof(index, 37);
    const Hash root = tree.root(37);
    const Hash leaf = tree.leaf(index);
    for (size_t i = 0; i < proof.size(); ++i) {
      std::vector<Hash> flipped = proof;
      flipped[i][i % 32] ^= 1;
      EXPECT_FALSE(verify_inclusion(index, 37, leaf, flipped, root).is_ok());
      std::vector<Hash> missing = proof;
      missing.erase(missing.begin() + static_cast<long>(i));
      EXPECT_FALSE(verify_inclusion(index, 37, leaf, missing, root).is_ok());
    }
    std::vector<Hash> extra = proof;
    extra.push_back(root);
    EXPECT_FALSE(verify_inclusion(index, 37, leaf, extra, root).is_ok());
    EXPECT_FALSE(verify_inclusion(index, 37, tree.leaf((index + 1) % 37), proof, root).is_ok());
    // (A wrong size may still verify where the path has the same shape, as
    // for a leaf in the left 32 of 36, 37 or 38: the signed tree head is what
    // binds size and root together.)
    Hash wrong_root = root;
    wrong_root[0] ^= 0x80;
    EXPECT_FALSE(verify_inclusion(index, 37, leaf, proof, wrong_root).is_ok());
  }
  EXPECT_FALSE(verify_inclusion(37, 37, tree.leaf(0), {}, tree.root(37)).is_ok());
  EXPECT_FALSE(verify_inclusion(0, 0, tree.leaf(0), {}, empty_root()).is_ok());
  EXPECT_FALSE(tree.inclusion_proof(37, 37).is_ok());
  EXPECT_FALSE(tree.inclusion_proof(0, 38).is_ok());
}

TEST(Merkle, DamagedConsistencyProofsFail) {
  const MerkleTree tree = tree_of(37);
  for (uint64_t size1 : {1u, 4u, 7u, 16u, 20u, 36u}) {
    const std::vector<Hash> proof = *tree.consistency_proof(size1, 37);
    const Hash root1 = tree.root(size1), root2 = tree.root(37);
    for (size_t i = 0; i < proof.size(); ++i) {
      std::vector<Hash> flipped = proof;
      flipped[i][31 - i % 32] ^= 4;
      EXPECT_FALSE(verify_consistency(size1, 37, root1, root2, flipped).is_ok());
      std::vector<Hash> missing = proof;
      missing.erase(missing.begin() + static_cast<long>(i));
      EXPECT_FALSE(verify_consistency(size1, 37, root1, root2, missing).is_ok());
    }
    std::vector<Hash> extra = proof;
    extra.push_back(root1);
    EXPECT_FALSE(verify_consistency(size1, 37, root1, root2, extra).is_ok());
    EXPECT_FALSE(verify_consistency(size1, 37, root2, root2, proof).is_ok());
    EXPECT_FALSE(verify_consistency(size1, 37, root1, root1, proof).is_ok());
    EXPECT_FALSE(verify_consistency(size1 + 1, 37, root1, root2, proof).is_ok());
  }
  // From size 0: an error whatever the rest; from n to n: only an empty
  // proof and equal roots hold.
  EXPECT_FALSE(verify_consistency(0, 37, empty_root(), tree.root(37), {}).is_ok());
  EXPECT_FALSE(verify_consistency(0, 0, empty_root(), empty_root(), {}).is_ok());
  EXPECT_TRUE(verify_consistency(9, 9, tree.root(9), tree.root(9), {}).is_ok());
  EXPECT_FALSE(verify_consistency(9, 9, tree.root(9), tree.root(9), {tree.root(9)}).is_ok());
  EXPECT_FALSE(verify_consistency(9, 9, tree.root(9), tree.root(10), {}).is_ok());
  EXPECT_FALSE(verify_consistency(10, 9, tree.root(10), tree.root(9), {}).is_ok());
  EXPECT_FALSE(verify_consistency(3, 9, tree.root(3), tree.root(9), {}).is_ok());
  EXPECT_FALSE(tree.consistency_proof(0, 5).is_ok());
  EXPECT_FALSE(tree.consistency_proof(6, 5).is_ok());
  EXPECT_FALSE(tree.consistency_proof(5, 38).is_ok());
}

TEST(Merkle, HashesParseOnlyAsSixtyFourLowercaseHexDigits) {
  EXPECT_TRUE(parse_hash(std::string(64, 'a')).is_ok());
  EXPECT_FALSE(parse_hash(std::string(63, 'a')).is_ok());
  EXPECT_FALSE(parse_hash(std::string(65, 'a')).is_ok());
  EXPECT_FALSE(parse_hash("").is_ok());
  EXPECT_FALSE(parse_hash(std::string(64, 'A')).is_ok());
  EXPECT_FALSE(parse_hash(std::string(63, 'a') + "g").is_ok());
  const Hash hash = leaf_hash("x");
  EXPECT_EQ(*parse_hash(hash_hex(hash)), hash);
}

}  // namespace
}  // namespace zg::audit
