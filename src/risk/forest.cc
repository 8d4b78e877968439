#include "risk/forest.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "core/json.h"
#include "risk/hex_float.h"

namespace zg::risk {
namespace {

// A number, finite unless `infinite` allows +inf (a pass-through split's
// threshold); never NaN.
bool parse_double(std::string_view text, double& out, bool infinite = false) {
  const std::string s(text);
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return !s.empty() && *end == '\0' &&
         (std::isfinite(out) || (infinite && out == std::numeric_limits<double>::infinity()));
}

bool parse_int(std::string_view text, int64_t& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

// A dumped node's depth below it (a leaf: 0).
int height(JsonRef node) {
  const JsonRef children = node.get("children");
  if (!children.is_array()) return 0;
  int h = 0;
  for (JsonRef child : children) h = std::max(h, 1 + height(child));
  return h;
}

}  // namespace

void Forest::deepen(int depth) {
  if (depth <= depth_) return;
  const int old_depth = depth_;
  const size_t old_splits = splits_per_tree(), old_leaves = leaves_per_tree();
  std::vector<Split> splits = std::move(splits_);
  std::vector<float> leaves = std::move(leaves_);
  depth_ = depth;
  splits_.assign(trees_ * splits_per_tree(), Split{std::numeric_limits<float>::infinity(), 0, 1});
  leaves_.assign(trees_ * leaves_per_tree(), 0.0f);
  for (size_t t = 0; t < trees_; ++t) {
    Split* to_splits = splits_.data() + t * splits_per_tree();
    float* to_leaves = leaves_.data() + t * leaves_per_tree();
    // Splits keep their positions; an old leaf's value fills every new leaf below it.
    std::copy(splits.begin() + static_cast<long>(t * old_splits),
              splits.begin() + static_cast<long>((t + 1) * old_splits), to_splits);
    const size_t spread = size_t{1} << (depth - old_depth);
    for (size_t j = 0; j < old_leaves; ++j) {
      std::fill_n(to_leaves + j * spread, spread, leaves[t * old_leaves + j]);
    }
  }
}

Status Forest::add_xgboost_tree(std::string_view json) {
  JsonDocument doc;
  if (Status s = doc.parse(json); !s.is_ok()) return s;
  const JsonRef root = doc.root();
  if (!root.is_object()) return Status(ErrorCode::kInvalidField, "", "a tree is not an object");
  const int h = height(root);
  if (h > kMaxDepth) {
    return Status(ErrorCode::kInvalidField, "",
                  "a tree is " + std::to_string(h) + " deep; at most " + std::to_string(kMaxDepth) +
                      " are kept");
  }
  deepen(std::max(h, 1));
  ++trees_;
  splits_.resize(trees_ * splits_per_tree(), Split{std::numeric_limits<float>::infinity(), 0, 1});
  leaves_.resize(trees_ * leaves_per_tree(), 0.0f);
  Split* splits = splits_.data() + (trees_ - 1) * splits_per_tree();
  float* leaves = leaves_.data() + (trees_ - 1) * leaves_per_tree();
  // Places `node` at position `at` of level `level`.
  Status status = Status::ok();
  const auto place = [&](auto&& self, JsonRef node, size_t at, int level) -> void {
    if (!status.is_ok()) return;
    if (const JsonRef leaf = node.get("leaf"); leaf.exists()) {
      double v = 0;
      if (!parse_double(leaf.text(), v)) {
        status = Status(ErrorCode::kInvalidField, "", "a leaf is not a number");
        return;
      }
      // Pass-through splits lead down to copies of the value.
      const size_t first = (at + 1) << (depth_ - level), count = size_t{1} << (depth_ - level);
      std::fill_n(leaves + (first - 1 - splits_per_tree()), count, static_cast<float>(v));
      return;
    }
    const std::string_view split = node.get("split").text();
    int64_t feature = 0, yes = 0, no = 0, missing = 0;
    double threshold = 0;
    const JsonRef children = node.get("children");
    if (!split.starts_with("f") || !parse_int(split.substr(1), feature) || feature < 0 ||
        !parse_double(node.get("split_condition").text(), threshold) ||
        !parse_int(node.get("yes").text(), yes) || !parse_int(node.get("no").text(), no) ||
        !parse_int(node.get("missing").text(), missing) || !children.is_array() ||
        children.size() != 2) {
      status = Status(ErrorCode::kInvalidField, "", "a split node is malformed");
      return;
    }
    if (feature > 65535) {
      status = Status(ErrorCode::kInvalidField, "", "a split's feature is out of range");
      return;
    }
    splits[at] = Split{static_cast<float>(threshold), static_cast<uint16_t>(feature),
                       static_cast<uint16_t>(missing == yes ? 1 : 0)};
    for (JsonRef child : children) {
      int64_t id = 0;
      parse_int(child.get("nodeid").text(), id);
      if (id != yes && id != no) {
        status = Status(ErrorCode::kInvalidField, "", "a split's children are not its own");
        return;
      }
      self(self, child, 2 * at + (id == yes ? 1 : 2), level + 1);
    }
  };
  place(place, root, 0, 0);
  if (!status.is_ok()) {
    --trees_;
    splits_.resize(trees_ * splits_per_tree());
    leaves_.resize(trees_ * leaves_per_tree());
  }
  return status;
}

double Forest::margin(const float* x) const {
  double out = 0;
  probabilities(x, 1, 0, &out);
  return std::log(out / (1 - out));
}

double Forest::probability(const float* x) const {
  double out = 0;
  probabilities(x, 1, 0, &out);
  return out;
}

void Forest::probabilities(const float* x, size_t n, size_t width, double* out) const {
  // Sixteen rows walk each tree together: their walks are independent, so
  // the processor overlaps them. A short last block walks copies of its
  // first row.
  constexpr size_t kBlock = 16;
  const size_t splits_n = splits_per_tree(), leaves_n = leaves_per_tree();
  for (size_t start = 0; start < n; start += kBlock) {
    const size_t rows = std::min(kBlock, n - start);
    const float* row[kBlock];
    for (size_t r = 0; r < kBlock; ++r) row[r] = x + (start + (r < rows ? r : 0)) * width;
    double sum[kBlock];
    std::fill_n(sum, kBlock, base_margin_);
    for (size_t t = 0; t < trees_; ++t) {
      const Split* splits = splits_.data() + t * splits_n;
      const float* leaves = leaves_.data() + t * leaves_n;
      uint32_t at[kBlock] = {};
      for (int level = 0; level < depth_; ++level) {
        for (size_t r = 0; r < kBlock; ++r) {
          const Split s = splits[at[r]];
          const float v = row[r][s.feature];
          // NaN compares false: it goes left only where the split says so.
          const uint32_t left = static_cast<uint32_t>(v < s.threshold) |
                                (static_cast<uint32_t>(v != v) & s.missing_left);
          at[r] = 2 * at[r] + 2 - left;
        }
      }
      for (size_t r = 0; r < kBlock; ++r) sum[r] += leaves[at[r] - splits_n];
    }
    for (size_t r = 0; r < rows; ++r) out[start + r] = 1.0 / (1.0 + std::exp(-sum[r]));
  }
}

void Forest::write(std::string& out) const {
  out += "forest " + std::to_string(trees_) + " " + std::to_string(depth_) + " " +
         hex_float(base_margin_) + "\n";
  for (const Split& s : splits_) {
    out += std::to_string(s.feature) + " " + hex_float(s.threshold) + " " +
           std::to_string(s.missing_left) + "\n";
  }
  for (float leaf : leaves_) out += hex_float(leaf) + "\n";
}

Result<Forest> Forest::read(std::string_view& in, size_t feature_count) {
  const auto damaged = [](const std::string& what) {
    return Result<Forest>(ErrorCode::kInvalidField, "", "the model file is damaged: " + what);
  };
  const auto line = [&in] {
    const size_t end = std::min(in.find('\n'), in.size());
    const std::string_view l = in.substr(0, end);
    in.remove_prefix(std::min(end + 1, in.size()));
    return l;
  };
  const auto fields = [](std::string_view l) {
    std::vector<std::string_view> out;
    for (size_t start = 0; start <= l.size();) {
      const size_t end = std::min(l.find(' ', start), l.size());
      out.push_back(l.substr(start, end - start));
      start = end + 1;
    }
    return out;
  };
  Forest forest;
  std::vector<std::string_view> f = fields(line());
  int64_t trees = 0, depth = 0;
  if (f.size() != 4 || f[0] != "forest" || !parse_int(f[1], trees) || !parse_int(f[2], depth) ||
      !parse_double(f[3], forest.base_margin_) || trees < 0 || trees > 100'000 || depth < 0 ||
      depth > kMaxDepth) {
    return damaged("the forest's header");
  }
  forest.trees_ = static_cast<size_t>(trees);
  forest.depth_ = static_cast<int>(depth);
  // Every split and leaf is a line of at least two bytes: a header cannot
  // ask for more than the file holds.
  if (forest.trees_ * (forest.splits_per_tree() + forest.leaves_per_tree()) * 2 > in.size()) {
    return damaged("the forest's header promises more than the file holds");
  }
  forest.splits_.resize(forest.trees_ * forest.splits_per_tree());
  forest.leaves_.resize(forest.trees_ * forest.leaves_per_tree());
  for (size_t k = 0; k < forest.splits_.size(); ++k) {
    f = fields(line());
    int64_t feature = 0, missing_left = 0;
    double threshold = 0;
    if (f.size() != 3 || !parse_int(f[0], feature) || !parse_double(f[1], threshold, true) ||
        !parse_int(f[2], missing_left) || feature < 0 ||
        feature >= static_cast<int64_t>(feature_count) ||
        (missing_left != 0 && missing_left != 1)) {
      return damaged("split " + std::to_string(k));
    }
    forest.splits_[k] = Split{static_cast<float>(threshold), static_cast<uint16_t>(feature),
                              static_cast<uint16_t>(missing_left)};
  }
  for (size_t k = 0; k < forest.leaves_.size(); ++k) {
    double leaf = 0;
    if (!parse_double(line(), leaf)) return damaged("leaf " + std::to_string(k));
    forest.leaves_[k] = static_cast<float>(leaf);
  }
  return forest;
}

}  // namespace zg::risk
