// The 30 % value-added rule (DOMAIN.md §3): does a zone-made product leave
// for the mainland duty-free?
#pragma once

#include <optional>
#include <string>

#include "core/decimal.h"
#include "policy/policy.h"

namespace zg {

struct ValueAdded {
  Money sale_value;        // S: customs value at second-line exit
  Money foreign_content;   // M: untaxed foreign materials (bonded or exempt at entry)
  Money domestic_content;  // D: materials already taxed or from the mainland
  ValueAddedFormula formula = ValueAddedFormula::kOverMaterials;
  Rate threshold;
  // The ratio rounded half up to 4 decimals, for people; nullopt when the
  // formula's denominator is zero. It decides nothing.
  std::optional<int64_t> rate_e4;
  // From the exact ratio: numerator × 10^6 >= threshold × denominator.
  bool qualifies = false;
};

// Computes the ratio under the pack's formula and compares it exactly.
// A zero denominator (no materials at all) qualifies under (S-M-D)/(M+D):
// everything is value added; under (S-M)/M it does not (nothing to measure).
ValueAdded value_added(Money sale_value, Money foreign_content, Money domestic_content,
                       const PolicyVersion& policy);

}  // namespace zg
