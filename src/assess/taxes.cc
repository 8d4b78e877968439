#include "assess/taxes.h"

#include <cstdlib>

namespace zg {
namespace {

constexpr int128 kE10PerFen = 100'000'000;  // 10^-10 yuan units in a fen

// quantity × per-unit amount in 10^-10 yuan, exact.
int128 per_unit_e10(Quantity quantity, Rate amount) {
  return int128{quantity.e4} * amount.ppm;
}

}  // namespace

Money convert_to_cny(int64_t amount_minor, int minor_digits, Rate cny_per_unit) {
  int128 denominator = kPpmPerUnit;
  int128 numerator = int128{amount_minor} * cny_per_unit.ppm * kFenPerYuan;
  for (int i = 0; i < minor_digits; ++i) denominator *= 10;
  return Money{div_round_half_up(numerator, denominator)};
}

Money duty_amount(const TariffLine& line, Money value, Quantity quantity) {
  switch (line.duty_kind) {
    case DutyKind::kAdValorem: return apply_rate(value, line.duty_rate);
    case DutyKind::kSpecific: return apply_per_unit(quantity, line.duty_specific);
    case DutyKind::kCompound: {
      // value(fen) × rate(ppm) is in 10^-8 yuan; × 100 gives 10^-10 yuan.
      const int128 exact =
          int128{value.fen} * line.duty_rate.ppm * 100 + per_unit_e10(quantity, line.duty_specific);
      return Money{div_round_half_up(exact, kE10PerFen)};
    }
  }
  std::abort();
}

Money consumption_tax_amount(const TariffLine& line, Money value, Money duty, Quantity quantity) {
  const int128 rate = line.ct_rate.ppm;
  const int128 one_minus_rate = kPpmPerUnit - rate;
  switch (line.ct_kind) {
    case ExciseKind::kNone: return Money{0};
    case ExciseKind::kAdValorem:
      // (V + D) / (1 - r) × r, in fen: (V + D) × r / (10^6 - r).
      return Money{div_round_half_up(int128{value.fen + duty.fen} * rate, one_minus_rate)};
    case ExciseKind::kSpecific: return apply_per_unit(quantity, line.ct_specific);
    case ExciseKind::kCompound: {
      // In 10^-10 yuan: base = (V + D) + q×s; ct = base × r / (1 - r) + q×s.
      // ct × (10^6 - r) = base × r + q×s × (10^6 - r), then to fen.
      const int128 specific = per_unit_e10(quantity, line.ct_specific);
      const int128 base = int128{value.fen + duty.fen} * kE10PerFen + specific;
      const int128 numerator = base * rate + specific * one_minus_rate;
      return Money{div_round_half_up(numerator, one_minus_rate * kE10PerFen)};
    }
  }
  std::abort();
}

Money import_vat_amount(const TariffLine& line, Money value, Money duty, Money consumption_tax) {
  return apply_rate(value + duty + consumption_tax, line.vat_rate);
}

Money refund_amount(const TariffLine& line, Money value) {
  return apply_rate(value, line.export_refund_rate);
}

Money depreciated_value(Money original, int months, int supervision_years) {
  const int64_t period = int64_t{supervision_years} * 12;
  if (months >= period) return Money{0};
  if (months <= 0) return original;
  return Money{div_round_half_up(int128{original.fen} * (period - months), period)};
}

Waivers assess_import_taxes(std::span<const ImportTaxLine> lines, const PolicyVersion& policy,
                            std::span<ImportTaxes> out) {
  Waivers waived;
  const Money threshold = policy.tax_waiver_threshold;
  // Duty, per line, and its declaration total; out[i].duty holds the
  // computed duty until the waiver is decided.
  Money duty_total;
  for (size_t i = 0; i < lines.size(); ++i) {
    const ImportTaxLine& line = lines[i];
    out[i].duty =
        line.duty_exempt ? Money{0} : duty_amount(*line.tariff, line.customs_value, line.quantity);
    duty_total += out[i].duty;
  }
  waived.duty = duty_total.fen > 0 && duty_total <= threshold;
  // A waived duty leaves the CT base; it stays in the VAT base only when
  // the pack says so (DOMAIN.md §6 leaves that point open).
  Money ct_total;
  for (size_t i = 0; i < lines.size(); ++i) {
    const Money ct_duty = waived.duty ? Money{0} : out[i].duty;
    out[i].consumption_tax = consumption_tax_amount(*lines[i].tariff, lines[i].customs_value,
                                                    ct_duty, lines[i].quantity);
    ct_total += out[i].consumption_tax;
  }
  waived.consumption_tax = ct_total.fen > 0 && ct_total <= threshold;
  Money vat_total;
  for (size_t i = 0; i < lines.size(); ++i) {
    const Money vat_duty = waived.duty && !policy.waived_duty_in_vat_base ? Money{0} : out[i].duty;
    if (waived.duty) out[i].duty = Money{0};
    if (waived.consumption_tax) out[i].consumption_tax = Money{0};
    out[i].vat = import_vat_amount(*lines[i].tariff, lines[i].customs_value, vat_duty,
                                   out[i].consumption_tax);
    vat_total += out[i].vat;
  }
  waived.vat = vat_total.fen > 0 && vat_total <= threshold;
  if (waived.vat) {
    for (size_t i = 0; i < lines.size(); ++i) out[i].vat = Money{0};
  }
  return waived;
}

}  // namespace zg
