// A forest of boosted trees, laid out for scoring: no XGBoost at scoring
// time, each tree a perfect binary tree walked by index arithmetic. Trained by XGBoost (train.cc)
// and read from its JSON dump, so the scores are XGBoost's (tested to
// agree).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace zg::risk {

class Forest {
 public:
  // Deeper trees are refused (their perfect layout would be too large).
  static constexpr int kMaxDepth = 8;

  // Adds one tree from XGBoost's JSON dump of it (XGBoosterDumpModelEx,
  // "json", features named f0, f1, ...).
  Status add_xgboost_tree(std::string_view json);
  void set_base_margin(double margin) { base_margin_ = margin; }

  size_t trees() const { return trees_; }
  int depth() const { return depth_; }
  // The raw score (log-odds) and the probability of fraud for features `x`.
  double margin(const float* x) const;
  double probability(const float* x) const;
  // Probabilities of `n` rows of `width` features (row-major) into `out`:
  // a few rows walk each tree together, so their walks overlap.
  void probabilities(const float* x, size_t n, size_t width, double* out) const;

  void write(std::string& out) const;
  static Result<Forest> read(std::string_view& in, size_t feature_count);

 private:
  // Every tree is stored as a perfect binary tree of depth_ levels: split
  // i has children 2i+1 and 2i+2, and a leaf above the bottom becomes
  // splits that lead both ways to copies of it. A walk is then depth_ steps
  // of arithmetic, with no branch to mispredict.
  struct Split {
    float threshold = 0;  // go left when x[feature] < threshold
    uint16_t feature = 0;
    uint16_t missing_left = 1;  // where a missing value (NaN) goes
  };
  size_t splits_per_tree() const { return (size_t{1} << depth_) - 1; }
  size_t leaves_per_tree() const { return size_t{1} << depth_; }
  // Re-lays the trees to `depth` levels (deeper only).
  void deepen(int depth);

  int depth_ = 0;
  size_t trees_ = 0;
  std::vector<Split> splits_;  // trees_ × splits_per_tree()
  std::vector<float> leaves_;  // trees_ × leaves_per_tree()
  double base_margin_ = 0;
};

}  // namespace zg::risk
