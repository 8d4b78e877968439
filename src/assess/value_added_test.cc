// Table tests for the 30 % value-added rule (DOMAIN.md §3; policy-sources.md
// §2.2 and §11, Case VA and Case 9). Every ratio was worked out by hand with
// exact fractions; the display rate rate_e4 is the ratio × 10^4 rounded half
// up (away from zero), and `qualifies` compares the exact ratio.
#include "assess/value_added.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace zg {
namespace {

constexpr ValueAddedFormula kC = ValueAddedFormula::kOverMaterials;  // (S-M-D)/(M+D)
constexpr ValueAddedFormula kA = ValueAddedFormula::kOverForeign;    // (S-M)/M
constexpr ValueAddedFormula kB = ValueAddedFormula::kOverSale;       // (S-M)/S
constexpr int64_t k30Percent = 300'000;
constexpr int64_t kNoRate = INT64_MIN;  // rate_e4 is nullopt (zero denominator)

PolicyVersion policy_with(ValueAddedFormula formula, int64_t threshold_ppm) {
  PolicyVersion policy;
  policy.value_added_formula = formula;
  policy.value_added_threshold = Rate{threshold_ppm};
  return policy;
}

TEST(ValueAdded, FormulasBoundariesAndRounding) {
  struct Case {
    std::string_view name;
    ValueAddedFormula formula;
    int64_t threshold_ppm;
    int64_t sale_fen;      // S
    int64_t foreign_fen;   // M
    int64_t domestic_fen;  // D
    int64_t want_rate_e4;  // kNoRate: nullopt
    bool want_qualifies;
  };
  constexpr Case kCases[] = {
      // --- (S-M-D)/(M+D), the default.
      // (130,000 − 100,000) / 100,000 = 0.3 exactly: 30.00 % counts.
      {"C exactly 30 %", kC, k30Percent, 13'000'000, 10'000'000, 0, 3'000, true},
      // (129,999.99 − 100,000) / 100,000 = 0.2999999: the display rounds to 30.00 % but the
      // exact ratio is below.
      {"C one fen below 30 %", kC, k30Percent, 12'999'999, 10'000'000, 0, 3'000, false},
      // D counts with M: (130,000 − 60,000 − 40,000) / 100,000 = 0.3.
      {"C with mainland materials, 30 %", kC, k30Percent, 13'000'000, 6'000'000, 4'000'000, 3'000,
       true},
      // (100,000 − 50,000 − 30,000) / 80,000 = 0.25.
      {"C 25 %", kC, k30Percent, 10'000'000, 5'000'000, 3'000'000, 2'500, false},
      // Case VA rows with D = 0 (C then equals A): 30,000 / 70,000 = 0.428571… → 42.86 %.
      {"C case VA M 70,000", kC, k30Percent, 10'000'000, 7'000'000, 0, 4'286, true},
      // 23,076.92 / 76,923.08 = 0.29999994… → displays 30.00 %, does not qualify.
      {"C case VA M 76,923.08", kC, k30Percent, 10'000'000, 7'692'308, 0, 3'000, false},
      // 23,076.93 / 76,923.07 = 0.30000011… → qualifies.
      {"C case VA M 76,923.07", kC, k30Percent, 10'000'000, 7'692'307, 0, 3'000, true},
      // Case 1: (355,000 − 262,962.96) / 262,962.96 = 0.35000001… → 35.00 %.
      {"C case 1 35 %", kC, k30Percent, 35'500'000, 26'296'296, 0, 3'500, true},
      // Only mainland materials: (105,000 − 100,000) / 100,000 = 0.05. The ratio alone
      // does not qualify; the "no imported materials" path is the treatment's.
      {"C no foreign content, 5 %", kC, k30Percent, 10'500'000, 0, 10'000'000, 500, false},
      // S = M + D: 0 / 100 = 0.
      {"C no value added", kC, k30Percent, 10'000, 6'000, 4'000, 0, false},
      // Zero denominator: no materials at all, everything is value added.
      {"C no materials", kC, k30Percent, 10'000'000, 0, 0, kNoRate, true},
      {"C all zero", kC, k30Percent, 0, 0, 0, kNoRate, true},
      // Negative ratios: (50,000 − 100,000) / 100,000 = −0.5.
      {"C negative half", kC, k30Percent, 5'000'000, 10'000'000, 0, -5'000, false},
      // (200 − 300) / 300 = −0.33333… → −33.33 %.
      {"C negative third", kC, k30Percent, 20'000, 30'000, 0, -3'333, false},
      // (199.99 − 200) / 200 = −0.00005 → −0.5 e-4, half away from zero → −1.
      {"C negative exact half e-4", kC, k30Percent, 19'999, 20'000, 0, -1, false},
      // (200.01 − 200) / 200 = 0.00005 → 0.5 e-4, half up → 1.
      {"C positive exact half e-4", kC, k30Percent, 20'001, 20'000, 0, 1, false},
      // Large amounts: (130,000,000,000 − 100,000,000,000) / 100,000,000,000 = 0.3; with M one
      // fen more, (29,999,999,999.99) / 100,000,000,000.01 < 0.3.
      {"C large exactly 30 %", kC, k30Percent, 13'000'000'000'000, 10'000'000'000'000, 0, 3'000,
       true},
      {"C large one fen short", kC, k30Percent, 13'000'000'000'000, 10'000'000'000'001, 0, 3'000,
       false},

      // --- (S-M)/M. Case VA table, S = 100,000.
      // 30,000 / 70,000 = 0.428571… → 42.86 %.
      {"A case VA M 70,000", kA, k30Percent, 10'000'000, 7'000'000, 0, 4'286, true},
      // 25,000 / 75,000 = 0.33333… → 33.33 %.
      {"A case VA M 75,000", kA, k30Percent, 10'000'000, 7'500'000, 0, 3'333, true},
      // 23,076.92 / 76,923.08 = 0.299999948… → just under 30 %.
      {"A case VA M 76,923.08", kA, k30Percent, 10'000'000, 7'692'308, 0, 3'000, false},
      // 23,076.93 / 76,923.07 = 0.300000117… → just over.
      {"A case VA M 76,923.07", kA, k30Percent, 10'000'000, 7'692'307, 0, 3'000, true},
      // 20,000 / 80,000 = 0.25.
      {"A case VA M 80,000", kA, k30Percent, 10'000'000, 8'000'000, 0, 2'500, false},
      // 30,000 / 100,000 = 0.3.
      {"A exactly 30 %", kA, k30Percent, 13'000'000, 10'000'000, 0, 3'000, true},
      // D plays no part: 30,000 / 70,000 as above.
      {"A ignores D", kA, k30Percent, 10'000'000, 7'000'000, 2'000'000, 4'286, true},
      // M = 0: nothing to measure against.
      {"A no foreign content", kA, k30Percent, 10'000'000, 0, 500'000, kNoRate, false},
      // (50 − 100) / 100 = −0.5.
      {"A negative", kA, k30Percent, 5'000, 10'000, 0, -5'000, false},

      // --- (S-M)/S. Case VA table, S = 100,000.
      // 30,000 / 100,000 = 0.3 exactly: on the boundary, qualifies.
      {"B case VA M 70,000", kB, k30Percent, 10'000'000, 7'000'000, 0, 3'000, true},
      // 29,999.99 / 100,000 = 0.2999999.
      {"B one fen below", kB, k30Percent, 10'000'000, 7'000'001, 0, 3'000, false},
      // 25,000 / 100,000 = 0.25.
      {"B case VA M 75,000", kB, k30Percent, 10'000'000, 7'500'000, 0, 2'500, false},
      // 23,076.92 / 100,000 = 0.2307692 → 23.08 %.
      {"B case VA M 76,923.08", kB, k30Percent, 10'000'000, 7'692'308, 0, 2'308, false},
      // 20,000 / 100,000 = 0.2.
      {"B case VA M 80,000", kB, k30Percent, 10'000'000, 8'000'000, 0, 2'000, false},
      {"B ignores D", kB, k30Percent, 10'000'000, 7'000'000, 2'000'000, 3'000, true},
      // Case 9: S = 183,251.40; M = 0.7 × S = 128,275.98 gives exactly 30 %.
      {"B case 9 exactly 30 %", kB, k30Percent, 18'325'140, 12'827'598, 0, 3'000, true},
      // M = 128,275.99: 54,975.41 / 183,251.40 = 0.29999994… → not.
      {"B case 9 one fen short", kB, k30Percent, 18'325'140, 12'827'599, 0, 3'000, false},
      {"B zero sale value", kB, k30Percent, 0, 0, 0, kNoRate, false},
      // (100 − 150) / 100 = −0.5.
      {"B negative", kB, k30Percent, 10'000, 15'000, 0, -5'000, false},

      // --- Other thresholds (pack setting).
      // 40 %: 40,000 / 100,000 = 0.4 qualifies; 39,999.99 / 100,000 does not.
      {"threshold 40 % met", kC, 400'000, 14'000'000, 10'000'000, 0, 4'000, true},
      {"threshold 40 % missed", kC, 400'000, 13'999'999, 10'000'000, 0, 4'000, false},
      // 0 %: S = M qualifies (0 >= 0); one fen less is −0.0000001 → displays 0, not.
      {"threshold 0 met", kC, 0, 10'000'000, 10'000'000, 0, 0, true},
      {"threshold 0 missed", kC, 0, 9'999'999, 10'000'000, 0, 0, false},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    const PolicyVersion policy = policy_with(c.formula, c.threshold_ppm);
    const ValueAdded va =
        value_added(Money{c.sale_fen}, Money{c.foreign_fen}, Money{c.domestic_fen}, policy);
    if (c.want_rate_e4 == kNoRate) {
      EXPECT_FALSE(va.rate_e4.has_value());
    } else {
      ASSERT_TRUE(va.rate_e4.has_value());
      EXPECT_EQ(*va.rate_e4, c.want_rate_e4);
    }
    EXPECT_EQ(va.qualifies, c.want_qualifies);
  }
}

TEST(ValueAdded, EchoesItsInputsAndThePolicy) {
  const PolicyVersion policy = policy_with(kA, 350'000);
  const ValueAdded va = value_added(Money{13'000'000}, Money{9'000'000}, Money{1'000'000}, policy);
  EXPECT_EQ(va.sale_value.fen, 13'000'000);
  EXPECT_EQ(va.foreign_content.fen, 9'000'000);
  EXPECT_EQ(va.domestic_content.fen, 1'000'000);
  EXPECT_EQ(va.formula, kA);
  EXPECT_EQ(va.threshold.ppm, 350'000);
  // (130,000 − 90,000) / 90,000 = 0.4444… → 44.44 %, over 35 %.
  ASSERT_TRUE(va.rate_e4.has_value());
  EXPECT_EQ(*va.rate_e4, 4'444);
  EXPECT_TRUE(va.qualifies);
}

TEST(ValueAdded, DefaultPolicyIsThirtyPercentOverMaterials) {
  const PolicyVersion policy{};
  // (130,000 − 70,000 − 30,000) / 100,000 = 0.3: qualifies under the default formula; under
  // (S-M)/M it would be 60,000 / 70,000 = 85.71 %, so the formula in use shows in rate_e4.
  const ValueAdded va = value_added(Money{13'000'000}, Money{7'000'000}, Money{3'000'000}, policy);
  EXPECT_EQ(va.formula, kC);
  EXPECT_EQ(va.threshold.ppm, k30Percent);
  ASSERT_TRUE(va.rate_e4.has_value());
  EXPECT_EQ(*va.rate_e4, 3'000);
  EXPECT_TRUE(va.qualifies);
}

}  // namespace
}  // namespace zg
