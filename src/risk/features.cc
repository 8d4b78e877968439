#include "risk/features.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "risk/hex_float.h"

namespace zg::risk {
namespace {

// Pulls the prior towards the overall rate by this many declarations' worth.
constexpr double kSmoothing = 20.0;
constexpr size_t kNumeric = 7;
constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();

float log_unit_value(const DeclarationRow& row) {
  if (row.net_mass < 1e-6 || row.item_price <= 0) return kMissing;  // no mass: no unit value
  return static_cast<float>(std::log(row.item_price / row.net_mass));
}

std::string_view next_line(std::string_view& in) {
  const size_t end = std::min(in.find('\n'), in.size());
  const std::string_view line = in.substr(0, end);
  in.remove_prefix(std::min(end + 1, in.size()));
  return line;
}

std::vector<std::string_view> split(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  for (size_t start = 0;;) {
    const size_t end = line.find(sep, start);
    out.push_back(line.substr(start, end == std::string_view::npos ? line.npos : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

template <class T>
bool parse_number(std::string_view text, T& out) {
  if constexpr (std::is_floating_point_v<T>) {
    // Hex floats (%a) so that a model reads back bit for bit; finite only.
    std::string s(text);
    char* end = nullptr;
    out = static_cast<T>(std::strtod(s.c_str(), &end));
    return !s.empty() && *end == '\0' && std::isfinite(out);
  } else {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
  }
}

}  // namespace

Encoder Encoder::fit(const std::vector<DeclarationRow>& rows, const std::vector<size_t>& which,
                     double count_scale) {
  Encoder e;
  e.count_scale_ = count_scale;
  uint64_t frauds = 0;
  std::unordered_map<std::string, std::vector<float>> unit_values;
  for (size_t i : which) {
    const DeclarationRow& row = rows[i];
    frauds += static_cast<uint64_t>(row.fraud == 1);
    for (size_t c = 0; c < kCategoryCount; ++c) {
      Seen& seen = e.seen_[c][row.categories[c]];
      ++seen.count;
      seen.frauds += static_cast<uint32_t>(row.fraud == 1);
    }
    const float v = log_unit_value(row);
    if (!std::isnan(v)) unit_values[row.categories[kHs6]].push_back(v);
  }
  e.prior_ = which.empty() ? 0 : static_cast<double>(frauds) / static_cast<double>(which.size());
  for (auto& [hs, values] : unit_values) {
    std::nth_element(values.begin(), values.begin() + static_cast<long>(values.size() / 2),
                     values.end());
    e.hs_log_unit_value_[hs] = values[values.size() / 2];
  }
  e.finish();
  return e;
}

size_t Encoder::feature_count() {
  return 2 * kCategoryCount + kNumeric;
}

std::vector<std::string> Encoder::feature_names() {
  std::vector<std::string> names;
  for (size_t c = 0; c < kCategoryCount; ++c) {
    const std::string name(category_name(static_cast<Category>(c)));
    names.push_back(name + "_fraud_rate");
    names.push_back(name + "_log_count");
  }
  for (const char* n : {"tax_rate", "log_net_mass", "log_item_price", "log_unit_value",
                        "log_revenue", "unit_value_vs_hs_median", "departure_is_not_origin"}) {
    names.emplace_back(n);
  }
  return names;
}

void Encoder::finish() {
  for (auto& table : seen_) {
    for (auto& [value, seen] : table) {
      seen.rate =
          static_cast<float>((seen.frauds + kSmoothing * prior_) / (seen.count + kSmoothing));
      seen.log_count = static_cast<float>(std::log1p(count_scale_ * seen.count));
    }
  }
}

bool Encoder::knows(const DeclarationRow& row) const {
  for (Category c : {kDeclarant, kHs6, kOrigin}) {
    if (!row.categories[c].empty() && seen_[c].contains(row.categories[c])) return true;
  }
  return false;
}

double Encoder::rate(Category c, const std::string& value) const {
  const auto it = seen_[c].find(value);
  const double count = it == seen_[c].end() ? 0 : it->second.count;
  const double frauds = it == seen_[c].end() ? 0 : it->second.frauds;
  return (frauds + kSmoothing * prior_) / (count + kSmoothing);
}

double Encoder::record(const DeclarationRow& row) const {
  double worst = 0;
  for (Category c : {kHs6, kOrigin, kImporter, kDeclarant}) {
    worst = std::max(worst, rate(c, row.categories[c]));
  }
  return worst;
}

void Encoder::encode(const DeclarationRow& row, float* out) const {
  const float unseen_rate = static_cast<float>(prior_);  // (0 + m·prior) / (0 + m)
  for (size_t c = 0; c < kCategoryCount; ++c) {
    const auto it = seen_[c].find(row.categories[c]);
    *out++ = it == seen_[c].end() ? unseen_rate : it->second.rate;
    *out++ = it == seen_[c].end() ? 0.0f : it->second.log_count;
  }
  *out++ = static_cast<float>(row.tax_rate);
  *out++ = static_cast<float>(std::log1p(row.net_mass));
  *out++ = static_cast<float>(std::log1p(row.item_price));
  const float unit = log_unit_value(row);
  *out++ = unit;
  *out++ = static_cast<float>(std::log1p(row.revenue()));
  const auto median = hs_log_unit_value_.find(row.categories[kHs6]);
  *out++ =
      std::isnan(unit) || median == hs_log_unit_value_.end() ? kMissing : unit - median->second;
  *out++ = row.categories[kDeparture] != row.categories[kOrigin] ? 1.0f : 0.0f;
}

void Encoder::write(std::string& out) const {
  out += "prior " + hex_float(prior_) + "\n";
  for (size_t c = 0; c < kCategoryCount; ++c) {
    std::vector<const std::pair<const std::string, Seen>*> sorted;
    for (const auto& entry : seen_[c]) sorted.push_back(&entry);
    std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
    out += "category " + std::string(category_name(static_cast<Category>(c))) + " " +
           std::to_string(sorted.size()) + "\n";
    for (const auto* entry : sorted) {
      out += entry->first + "\t" + std::to_string(entry->second.count) + "\t" +
             std::to_string(entry->second.frauds) + "\n";
    }
  }
  std::vector<std::pair<std::string, float>> medians(hs_log_unit_value_.begin(),
                                                     hs_log_unit_value_.end());
  std::sort(medians.begin(), medians.end());
  out += "unit_values " + std::to_string(medians.size()) + "\n";
  for (const auto& [hs, v] : medians) out += hs + "\t" + hex_float(v) + "\n";
}

Result<Encoder> Encoder::read(std::string_view& in) {
  const auto damaged = [](const std::string& what) {
    return Result<Encoder>(ErrorCode::kInvalidField, "", "the model file is damaged: " + what);
  };
  Encoder e;
  std::vector<std::string_view> f = split(next_line(in), ' ');
  if (f.size() != 2 || f[0] != "prior" || !parse_number(f[1], e.prior_) || e.prior_ < 0 ||
      e.prior_ > 1) {
    return damaged("prior");
  }
  for (size_t c = 0; c < kCategoryCount; ++c) {
    f = split(next_line(in), ' ');
    size_t n = 0;
    if (f.size() != 3 || f[0] != "category" || f[1] != category_name(static_cast<Category>(c)) ||
        !parse_number(f[2], n)) {
      return damaged("category " + std::string(category_name(static_cast<Category>(c))));
    }
    for (size_t k = 0; k < n; ++k) {
      f = split(next_line(in), '\t');
      Seen seen;
      if (f.size() != 3 || !parse_number(f[1], seen.count) || !parse_number(f[2], seen.frauds) ||
          seen.frauds > seen.count) {
        return damaged("an entry of " + std::string(category_name(static_cast<Category>(c))));
      }
      e.seen_[c].emplace(std::string(f[0]), seen);
    }
  }
  f = split(next_line(in), ' ');
  size_t n = 0;
  if (f.size() != 2 || f[0] != "unit_values" || !parse_number(f[1], n))
    return damaged("unit values");
  for (size_t k = 0; k < n; ++k) {
    f = split(next_line(in), '\t');
    float v = 0;
    if (f.size() != 2 || !parse_number(f[1], v)) return damaged("a unit value");
    e.hs_log_unit_value_.emplace(std::string(f[0]), v);
  }
  e.finish();
  return e;
}

std::vector<float> encode_all(const Encoder& encoder, const std::vector<DeclarationRow>& rows) {
  const size_t width = Encoder::feature_count();
  std::vector<float> matrix(rows.size() * width);
  for (size_t i = 0; i < rows.size(); ++i) encoder.encode(rows[i], matrix.data() + i * width);
  return matrix;
}

std::vector<float> encode_out_of_fold(const std::vector<DeclarationRow>& rows, size_t folds) {
  const size_t width = Encoder::feature_count();
  std::vector<float> matrix(rows.size() * width);
  for (size_t fold = 0; fold < folds; ++fold) {
    std::vector<size_t> others;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (i % folds != fold) others.push_back(i);
    }
    const Encoder encoder =
        Encoder::fit(rows, others, static_cast<double>(folds) / static_cast<double>(folds - 1));
    for (size_t i = fold; i < rows.size(); i += folds) {
      encoder.encode(rows[i], matrix.data() + i * width);
    }
  }
  return matrix;
}

}  // namespace zg::risk
