// China Customs tax arithmetic (DOMAIN.md §6), as pure functions.
//
// Every amount is exact until the one rounding the law asks for: each tax,
// per item line, half up to the fen. Composite prices are never rounded.
// Inputs are limited at the edge (decimal.h), so 128-bit intermediates
// cannot overflow.
#pragma once

#include <span>

#include "core/decimal.h"
#include "policy/policy.h"

namespace zg {

// A foreign amount (in the currency's minor units) converted to CNY at a
// customs rate, rounded half up to the fen.
Money convert_to_cny(int64_t amount_minor, int minor_digits, Rate cny_per_unit);

// Duty: ad valorem value × rate; specific quantity × amount; compound both.
Money duty_amount(const TariffLine& line, Money value, Quantity quantity);

// Consumption tax, with `duty` the duty that enters the composite price:
//   ad valorem  (value + duty) / (1 - r) × r
//   specific    quantity × amount
//   compound    (value + duty + quantity × amount) / (1 - r) × r + quantity × amount
Money consumption_tax_amount(const TariffLine& line, Money value, Money duty, Quantity quantity);

// Import VAT: (value + duty + consumption tax) × VAT rate.
Money import_vat_amount(const TariffLine& line, Money value, Money duty, Money consumption_tax);

// Export refund on a second-line entry: VAT-exclusive value × refund rate.
Money refund_amount(const TariffLine& line, Money value);

// The value of exempt goods leaving supervision early:
//   original × (1 - months / (years × 12)), rounded half up to the fen;
// zero once `months` reaches the whole period.
Money depreciated_value(Money original, int months, int supervision_years);

// One item line that owes import taxes.
struct ImportTaxLine {
  const TariffLine* tariff = nullptr;
  Money customs_value;
  Quantity quantity;
  bool duty_exempt = false;  // e.g. the 30 % rule: no duty, CT and VAT still due
};

struct ImportTaxes {
  Money duty;
  Money consumption_tax;
  Money vat;
};

// Which taxes the declaration-level waiver removed (each because the
// declaration's total of that tax was at or below the pack's threshold).
struct Waivers {
  bool duty = false;
  bool consumption_tax = false;
  bool vat = false;
};

// Duty, then consumption tax, then VAT for every line of one declaration,
// then the per-declaration waiver of each tax type in that order (DOMAIN.md
// §6, "CNY 50 rule"): a waived duty leaves the CT base, and the VAT base
// unless the pack keeps it there (waived_duty_in_vat_base); a waived CT
// leaves the VAT base. `out` has one entry
// per line.
Waivers assess_import_taxes(std::span<const ImportTaxLine> lines, const PolicyVersion& policy,
                            std::span<ImportTaxes> out);

}  // namespace zg
