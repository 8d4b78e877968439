// Features of a declaration for the learned risk score.
//
// Categorical columns (parties, HS code, countries, office ...) become
// their history: the smoothed fraud rate of the value in the training
// declarations (target encoding, an m-estimate towards the overall rate) and
// how often it was seen, so a party never seen falls back to the overall
// rate. Numbers become logs; the unit value is also compared with the
// median unit value of the same HS code (a robust statistic: prices far
// from their goods' usual price are a classic valuation-fraud sign).
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "risk/dataset.h"

namespace zg::risk {

class Encoder {
 public:
  struct Seen {
    uint32_t count = 0;
    uint32_t frauds = 0;
    // Derived once (finish()), so encoding is look-ups and copies.
    float rate = 0;       // the smoothed fraud rate
    float log_count = 0;  // log(1 + count)
  };

  // Learns the histories from the labelled rows `rows[i]` for i in `which`.
  // `count_scale` stretches the counts (log_count) to what fitting on all
  // the rows would give: an out-of-fold encoder sees (folds-1)/folds of them.
  static Encoder fit(const std::vector<DeclarationRow>& rows, const std::vector<size_t>& which,
                     double count_scale = 1.0);

  static size_t feature_count();
  static std::vector<std::string> feature_names();
  // Writes feature_count() floats for `row` into `out` (NaN: missing).
  void encode(const DeclarationRow& row, float* out) const;

  // The "rules alone" baseline: the worst record among the declaration's
  // HS code, origin, importer and declarant (their smoothed fraud rates),
  // as a risk officer's history-based criteria would rank it.
  double record(const DeclarationRow& row) const;

  // Whether the training declarations had this row's declarant, HS code or
  // origin: when none, the score would be the overall fraud rate alone, and
  // the engine says the score is unavailable rather than pretend.
  bool knows(const DeclarationRow& row) const;
  // The encoder in the model file's text form, and back; `in` is advanced.
  void write(std::string& out) const;
  static Result<Encoder> read(std::string_view& in);

 private:
  double rate(Category c, const std::string& value) const;
  void finish();  // derives every Seen's rate and log_count

  double prior_ = 0;  // the overall fraud rate
  double count_scale_ = 1.0;
  std::array<std::unordered_map<std::string, Seen>, kCategoryCount> seen_;
  std::unordered_map<std::string, float> hs_log_unit_value_;  // median, by HS6
};

// The feature matrix (rows × feature_count(), row-major) of `rows` under
// `encoder`.
std::vector<float> encode_all(const Encoder& encoder, const std::vector<DeclarationRow>& rows);

// The training matrix: each row encoded by an encoder fitted without its
// own fold (`folds` of them, by position), so a row's own label never leaks
// into its features.
std::vector<float> encode_out_of_fold(const std::vector<DeclarationRow>& rows, size_t folds);

}  // namespace zg::risk
