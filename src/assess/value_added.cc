#include "assess/value_added.h"

#include <cstdlib>

namespace zg {
namespace {

// numerator / denominator to 4 decimals, half away from zero.
int64_t ratio_e4(int128 numerator, int128 denominator) {
  const bool negative = numerator < 0;
  const int64_t magnitude =
      div_round_half_up((negative ? -numerator : numerator) * 10'000, denominator);
  return negative ? -magnitude : magnitude;
}

}  // namespace

ValueAdded value_added(Money sale_value, Money foreign_content, Money domestic_content,
                       const PolicyVersion& policy) {
  ValueAdded va;
  va.sale_value = sale_value;
  va.foreign_content = foreign_content;
  va.domestic_content = domestic_content;
  va.formula = policy.value_added_formula;
  va.threshold = policy.value_added_threshold;
  const int128 s = sale_value.fen, m = foreign_content.fen, d = domestic_content.fen;
  int128 numerator = 0, denominator = 0;
  switch (policy.value_added_formula) {
    case ValueAddedFormula::kOverMaterials:
      numerator = s - m - d;
      denominator = m + d;
      break;
    case ValueAddedFormula::kOverForeign:
      numerator = s - m;
      denominator = m;
      break;
    case ValueAddedFormula::kOverSale:
      numerator = s - m;
      denominator = s;
      break;
  }
  if (denominator <= 0) {
    va.qualifies = policy.value_added_formula == ValueAddedFormula::kOverMaterials;
    return va;
  }
  va.rate_e4 = ratio_e4(numerator, denominator);
  va.qualifies = numerator * kPpmPerUnit >= int128{va.threshold.ppm} * denominator;
  return va;
}

}  // namespace zg
