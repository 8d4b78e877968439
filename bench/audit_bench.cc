// The Merkle log's speed: appending leaves, and inclusion and consistency
// proofs in a tree of 10 million leaves. Baseline in the same run: one node
// hash (SHA-256 of 65 bytes), the unit of the tree's work.
//
//   build-bench/bench/zonegate_bench_audit [LEAVES]   (default 10,000,000)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "audit/merkle.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// p50, p99 and max of per-call times in microseconds.
void print_latencies(const char* what, std::vector<double>& us) {
  std::sort(us.begin(), us.end());
  const auto at = [&](double p) {
    return us[static_cast<size_t>(p * static_cast<double>(us.size() - 1))];
  };
  std::printf("%-44s calls %zu  p50 %.2f us  p99 %.2f us  max %.2f us\n", what, us.size(), at(0.50),
              at(0.99), us.back());
}

}  // namespace

int main(int argc, char** argv) {
  const uint64_t leaves = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10'000'000;
  using zg::audit::Hash;

  // Baseline: node hashes, back to back.
  Hash a = zg::audit::leaf_hash("a"), b = zg::audit::leaf_hash("b");
  const int kBaseline = 2'000'000;
  auto start = Clock::now();
  for (int i = 0; i < kBaseline; ++i) a = zg::audit::node_hash(a, b);
  const double per_hash = seconds_since(start) / kBaseline;
  std::printf("baseline: node hash (SHA-256 of 65 bytes) %.3f us, %.0f/s (checksum %02x)\n",
              per_hash * 1e6, 1 / per_hash, a[0]);

  // Leaf hashes are made by the committer from the journal's rows; here they
  // are made up front so the figure is the tree's own.
  std::vector<Hash> input(leaves);
  for (uint64_t i = 0; i < leaves; ++i) {
    Hash h{};
    for (int k = 0; k < 8; ++k)
      h[static_cast<size_t>(k)] = static_cast<unsigned char>(i >> (8 * k));
    input[i] = h;
  }
  zg::audit::MerkleTree tree;
  tree.reserve(leaves);
  start = Clock::now();
  for (const Hash& h : input) tree.append(h);
  const double append_s = seconds_since(start);
  std::printf(
      "append: %llu leaves in %.3f s: %.0f leaves/s (target 500,000); %.2f node hashes a leaf's "
      "time\n",
      static_cast<unsigned long long>(leaves), append_s, static_cast<double>(leaves) / append_s,
      append_s / static_cast<double>(leaves) / per_hash);

  start = Clock::now();
  const Hash root = tree.root();
  std::printf("root of the whole tree: %.2f us\n", seconds_since(start) * 1e6);

  // Proofs for leaves spread over the tree, checked as they are made.
  std::vector<double> inclusion, consistency;
  uint64_t x = 88172645463325252ULL;
  size_t failures = 0;
  for (int i = 0; i < 20'000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const uint64_t index = x % leaves;
    auto t = Clock::now();
    auto proof = tree.inclusion_proof(index, leaves);
    inclusion.push_back(seconds_since(t) * 1e6);
    if (i % 100 == 0 &&
        !zg::audit::verify_inclusion(index, leaves, tree.leaf(index), *proof, root).is_ok()) {
      ++failures;
    }
    const uint64_t size1 = 1 + x % (leaves - 1);
    t = Clock::now();
    auto path = tree.consistency_proof(size1, leaves);
    consistency.push_back(seconds_since(t) * 1e6);
    if (i % 100 == 0 &&
        !zg::audit::verify_consistency(size1, leaves, tree.root(size1), root, *path).is_ok()) {
      ++failures;
    }
  }
  print_latencies("inclusion proof (target < 50 us)", inclusion);
  print_latencies("consistency proof", consistency);
  std::printf("proofs checked: %zu failed\n", failures);
  return failures == 0 ? 0 : 1;
}
