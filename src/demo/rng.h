// The simulators' randomness: deterministic, seeded, of our own (no clock,
// no std::random_device), so the same seed gives the same day byte for byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>

namespace zg::demo {

// splitmix64 (Steele, Lea and Flood, 2014): a few lines, no state beyond one
// word, and good enough to make a day look unplanned.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n), n > 0 (multiply and shift; the bias is far below notice).
  uint64_t below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }
  size_t index(size_t size) { return static_cast<size_t>(below(size)); }
  // Uniform in [lo, hi], lo <= hi.
  int64_t between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo) + 1));
  }
  bool percent(int64_t p) { return static_cast<int64_t>(below(100)) < p; }
  // An index drawn in proportion to the weights; weights.size() when all are 0.
  size_t weighted(std::initializer_list<int64_t> weights) {
    int64_t total = 0;
    for (int64_t w : weights) total += w;
    if (total <= 0) return weights.size();
    int64_t r = static_cast<int64_t>(below(static_cast<uint64_t>(total)));
    size_t i = 0;
    for (int64_t w : weights) {
      if (r < w) return i;
      r -= w;
      ++i;
    }
    return weights.size();
  }

 private:
  uint64_t state_;
};

}  // namespace zg::demo
