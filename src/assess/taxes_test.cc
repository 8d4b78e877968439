// Table tests for the tax arithmetic of DOMAIN.md §6 and the worked cases of
// policy-sources.md §11. Every expected figure was worked out by hand (and
// checked with Python's decimal module, ROUND_HALF_UP); the arithmetic is in
// the comment beside each row. Rates are illustrative, as in the sources.
#include "assess/taxes.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace zg {
namespace {

// Rates in millionths: 13 % is 130'000.
constexpr int64_t kVat13 = 130'000;
constexpr int64_t kVat9 = 90'000;

TariffLine ad_valorem(int64_t duty_ppm, int64_t vat_ppm = kVat13) {
  TariffLine line;
  line.hs = "00000000";
  line.duty_kind = DutyKind::kAdValorem;
  line.duty_rate = Rate{duty_ppm};
  line.vat_rate = Rate{vat_ppm};
  return line;
}

TariffLine specific(int64_t duty_per_unit_ppm, int64_t vat_ppm = kVat13) {
  TariffLine line = ad_valorem(0, vat_ppm);
  line.duty_kind = DutyKind::kSpecific;
  line.duty_specific = Rate{duty_per_unit_ppm};
  return line;
}

TariffLine compound(int64_t duty_ppm, int64_t duty_per_unit_ppm, int64_t vat_ppm = kVat13) {
  TariffLine line = ad_valorem(duty_ppm, vat_ppm);
  line.duty_kind = DutyKind::kCompound;
  line.duty_specific = Rate{duty_per_unit_ppm};
  return line;
}

TariffLine with_ct_ad_valorem(TariffLine line, int64_t ct_ppm) {
  line.ct_kind = ExciseKind::kAdValorem;
  line.ct_rate = Rate{ct_ppm};
  return line;
}

TariffLine with_ct_specific(TariffLine line, int64_t ct_per_unit_ppm) {
  line.ct_kind = ExciseKind::kSpecific;
  line.ct_specific = Rate{ct_per_unit_ppm};
  return line;
}

TariffLine with_ct_compound(TariffLine line, int64_t ct_ppm, int64_t ct_per_unit_ppm) {
  line.ct_kind = ExciseKind::kCompound;
  line.ct_rate = Rate{ct_ppm};
  line.ct_specific = Rate{ct_per_unit_ppm};
  return line;
}

TariffLine with_refund(TariffLine line, int64_t refund_ppm) {
  line.export_refund_rate = Rate{refund_ppm};
  return line;
}

// A policy with the Hengqin defaults that matter here: CNY 50 per tax type,
// a waived duty out of the CT and VAT bases.
PolicyVersion policy_with(int64_t threshold_fen, bool waived_duty_in_vat_base) {
  PolicyVersion policy;
  policy.tax_waiver_threshold = Money{threshold_fen};
  policy.waived_duty_in_vat_base = waived_duty_in_vat_base;
  return policy;
}

TEST(TaxConvertToCny, RoundsHalfUpToTheFenAfterConversion) {
  struct Case {
    std::string_view name;
    int64_t amount_minor;
    int minor_digits;
    int64_t rate_ppm;
    int64_t want_fen;
  };
  constexpr Case kCases[] = {
      // Case 1: USD 50,000.00 × 7.1000 = 355,000.00.
      {"case 1 USD", 5'000'000, 2, 7'100'000, 35'500'000},
      // Case 3: MOP 200,000.00 × 0.8850 = 177,000.00.
      {"case 3 MOP", 20'000'000, 2, 885'000, 17'700'000},
      // Case 7: USD 12,000.00 × 7.1000 = 85,200.00.
      {"case 7 USD", 1'200'000, 2, 7'100'000, 8'520'000},
      // Case 9: EUR 23,456.78 × 7.8123 = 183,251.402394 → 183,251.40.
      {"case 9 EUR", 2'345'678, 2, 7'812'300, 18'325'140},
      // HKD 99,999.99 × 0.9091 = 90,909.990909 → 90,909.99.
      {"HKD", 9'999'999, 2, 909'100, 9'090'999},
      // JPY has no minor unit. JPY 1,000 × 0.047125 = 47.125 → 47.13 (exact half, up).
      {"JPY exact half", 1'000, 0, 47'125, 4'713},
      // JPY 1,234,567 × 0.047893 = 59,127.117331 → 59,127.12.
      {"JPY six-decimal rate", 1'234'567, 0, 47'893, 5'912'712},
      // JPY 987,654,321 × 0.048321 = 47,724,444.445041 → 47,724,444.45.
      {"JPY large", 987'654'321, 0, 48'321, 4'772'444'445},
      // JPY 1 × 0.047893 = 0.047893 → 0.05.
      {"JPY one yen", 1, 0, 47'893, 5},
      // JPY 1 × 0.004999 = 0.004999 → 0.00.
      {"JPY one yen below half a fen", 1, 0, 4'999, 0},
      // KWD has three minor digits: KWD 1.234 × 23.123456 = 28.534344704 → 28.53.
      {"KWD three digits", 1'234, 3, 23'123'456, 2'853},
      // USD 0.01 × 0.5 = 0.005 → 0.01 (half up); × 0.499999 = 0.00499999 → 0.00.
      {"half a fen rounds up", 1, 2, 500'000, 1},
      {"just under half a fen", 1, 2, 499'999, 0},
      // CNY at 1.000000: unchanged.
      {"CNY at par", 12'345, 2, 1'000'000, 12'345},
      {"zero", 0, 2, 7'100'000, 0},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(convert_to_cny(c.amount_minor, c.minor_digits, Rate{c.rate_ppm}).fen, c.want_fen);
  }
}

TEST(TaxDutyAmount, AdValoremSpecificAndCompound) {
  struct Case {
    std::string_view name;
    TariffLine line;
    int64_t value_fen;
    int64_t quantity_e4;
    int64_t want_fen;
  };
  const Case cases[] = {
      // Textbook: 100.00 × 5 % = 5.00.
      {"textbook ad valorem", ad_valorem(50'000), 10'000, 0, 500},
      // Case 2: 355,000.00 × 10 % = 35,500.00.
      {"case 2 ad valorem", ad_valorem(100'000), 35'500'000, 0, 3'550'000},
      // Case 9 at 29.99 %: 183,251.40 × 8 % = 14,660.112 → 14,660.11.
      {"case 9 ad valorem", ad_valorem(80'000), 18'325'140, 0, 1'466'011},
      // 10.10 × 5 % = 0.505 → 0.51 (half up); 10.09 × 5 % = 0.5045 → 0.50.
      {"ad valorem half up", ad_valorem(50'000), 1'010, 0, 51},
      {"ad valorem below half", ad_valorem(50'000), 1'009, 0, 50},
      {"ad valorem zero rate", ad_valorem(0), 6'000'000, 0, 0},
      // Specific duty ignores the value. Case 6: 10,000 kg × 1.30 = 13,000.00.
      {"case 6 specific", specific(1'300'000), 15'000'000, 100'000'000, 1'300'000},
      // 2.5 kg × 0.333333 = 0.8333325 → 0.83.
      {"specific fractional quantity", specific(333'333), 100, 25'000, 83},
      // 1.5 × 0.01 = 0.015 → 0.02 (half up).
      {"specific half up", specific(10'000), 0, 15'000, 2},
      // 0.0001 kg × 1.30 = 0.00013 → 0.00.
      {"specific tiny quantity", specific(1'300'000), 0, 1, 0},
      // Case 7: 85,200.00 × 3 % + 2 × 9,728 = 2,556.00 + 19,456.00 = 22,012.00.
      {"case 7 compound", compound(30'000, 9'728'000'000), 8'520'000, 20'000, 2'201'200},
      // Compound is one amount, rounded once: 100.40 × 1 % + 1.004 × 1.00
      // = 1.004 + 1.004 = 2.008 → 2.01 (rounding each part would give 2.00).
      {"compound rounded once", compound(10'000, 1'000'000), 10'040, 10'040, 201},
      // 0 × 3 % + 3 × 0.001667 = 0.005001 → 0.01.
      {"compound specific part only", compound(30'000, 1'667), 0, 30'000, 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(duty_amount(c.line, Money{c.value_fen}, Quantity{c.quantity_e4}).fen, c.want_fen);
  }
}

TEST(TaxConsumptionTaxAmount, AdValoremSpecificAndCompound) {
  struct Case {
    std::string_view name;
    TariffLine line;
    int64_t value_fen;
    int64_t duty_fen;
    int64_t quantity_e4;
    int64_t want_fen;
  };
  const Case cases[] = {
      // Textbook: (100 + 5.00) / (1 − 0.20) = 131.25; × 0.20 = 26.25.
      {"textbook", with_ct_ad_valorem(ad_valorem(50'000), 200'000), 10'000, 500, 0, 2'625},
      // Case 3 qualifying: 177,000 / 0.85 = 208,235.2941…; × 0.15 = 31,235.2941… → 31,235.29.
      {"case 3 qualifying", with_ct_ad_valorem(ad_valorem(50'000), 150'000), 17'700'000, 0, 0,
       3'123'529},
      // Case 3 not qualifying: (177,000 + 8,850) / 0.85 = 218,647.0588…; × 0.15 = 32,797.0588…
      // → 32,797.06.
      {"case 3 not qualifying", with_ct_ad_valorem(ad_valorem(50'000), 150'000), 17'700'000,
       885'000, 0, 3'279'706},
      // Case 10: (10,000 + 1,400) / 0.9 = 12,666.6666…; × 0.10 = 1,266.6666… → 1,266.67.
      {"case 10 wine", with_ct_ad_valorem(ad_valorem(140'000), 100'000), 1'000'000, 140'000, 0,
       126'667},
      // 0.02 / 0.8 × 0.2 = 0.005 → 0.01 (half up); 0.01 / 0.8 × 0.2 = 0.0025 → 0.00.
      {"ad valorem half up", with_ct_ad_valorem(ad_valorem(0), 200'000), 2, 0, 0, 1},
      {"ad valorem below half", with_ct_ad_valorem(ad_valorem(0), 200'000), 1, 0, 0, 0},
      // 1,000,000,000.00 + 250,000,000.00 duty, CT 30 %: 1.25e9 / 0.7 × 0.3
      // = 535,714,285.7142… → 535,714,285.71.
      {"ad valorem large", with_ct_ad_valorem(ad_valorem(250'000), 300'000), 100'000'000'000,
       25'000'000'000, 0, 53'571'428'571},
      // Case 5: beer class A, 20 t × 250 = 5,000.00 (value and duty play no part).
      {"case 5 specific", with_ct_specific(ad_valorem(0), 250'000'000), 6'000'000, 0, 200'000,
       500'000},
      // 1.5 l × 0.912 = 1.368 → 1.37.
      {"specific per litre", with_ct_specific(ad_valorem(0), 912'000), 100'000, 0, 15'000, 137},
      // Case 4: specific 1,000 × 0.5 = 500; composite (120,000 + 6,000 + 500) / 0.8 = 158,125;
      // CT = 158,125 × 0.2 + 500 = 32,125.00.
      {"case 4 compound", with_ct_compound(ad_valorem(50'000), 200'000, 500'000), 12'000'000,
       600'000, 10'000'000, 3'212'500},
      // Case 4 qualifying (no duty): (120,000 + 500) / 0.8 = 150,625; × 0.2 + 500 = 30,625.00.
      {"case 4 compound qualifying", with_ct_compound(ad_valorem(50'000), 200'000, 500'000),
       12'000'000, 0, 10'000'000, 3'062'500},
      // 1.5 × 0.912 = 1.368; (1,000 + 1.368) / 0.9 = 1,112.6311…; × 0.1 + 1.368
      // = 112.6311… → 112.63.
      {"compound fractional", with_ct_compound(ad_valorem(0), 100'000, 912'000), 100'000, 0, 15'000,
       11'263},
      // 3 × 0.5 = 1.5; 1.5 / 0.8 × 0.2 + 1.5 = 1.875 → 1.88 (half up).
      {"compound half up", with_ct_compound(ad_valorem(0), 200'000, 500'000), 0, 0, 30'000, 188},
      {"no consumption tax", ad_valorem(100'000), 35'500'000, 3'550'000, 0, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(consumption_tax_amount(c.line, Money{c.value_fen}, Money{c.duty_fen},
                                     Quantity{c.quantity_e4})
                  .fen,
              c.want_fen);
  }
}

TEST(TaxImportVatAmount, ThirteenAndNinePercent) {
  struct Case {
    std::string_view name;
    int64_t vat_ppm;
    int64_t value_fen;
    int64_t duty_fen;
    int64_t ct_fen;
    int64_t want_fen;
  };
  constexpr Case kCases[] = {
      // Textbook: (100 + 5.00 + 26.25) × 13 % = 17.0625 → 17.06.
      {"textbook", kVat13, 10'000, 500, 2'625, 1'706},
      // Case 3: (177,000 + 0 + 31,235.29) × 13 % = 27,070.5877 → 27,070.59.
      {"case 3", kVat13, 17'700'000, 0, 3'123'529, 2'707'059},
      // Case 10: (10,000 + 1,400 + 1,266.67) × 13 % = 1,646.6671 → 1,646.67.
      {"case 10", kVat13, 1'000'000, 140'000, 126'667, 164'667},
      // Case 6, 9 %: (150,000 + 13,000) × 9 % = 14,670.00.
      {"case 6 nine percent", kVat9, 15'000'000, 1'300'000, 0, 1'467'000},
      // 0.50 × 13 % = 0.065 → 0.07; 0.49 × 13 % = 0.0637 → 0.06.
      {"13 % half up", kVat13, 50, 0, 0, 7},
      {"13 % below half", kVat13, 49, 0, 0, 6},
      // 0.50 × 9 % = 0.045 → 0.05.
      {"9 % half up", kVat9, 50, 0, 0, 5},
      {"zero base", kVat13, 0, 0, 0, 0},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    const TariffLine line = ad_valorem(0, c.vat_ppm);
    EXPECT_EQ(import_vat_amount(line, Money{c.value_fen}, Money{c.duty_fen}, Money{c.ct_fen}).fen,
              c.want_fen);
  }
}

TEST(TaxRefundAmount, ValueTimesRefundRateWithoutWaiver) {
  struct Case {
    std::string_view name;
    int64_t refund_ppm;
    int64_t value_fen;
    int64_t want_fen;
  };
  constexpr Case kCases[] = {
      // 10,000.00 × 13 % = 1,300.00.
      {"13 %", 130'000, 1'000'000, 130'000},
      // 123.45 × 13 % = 16.0485 → 16.05.
      {"13 % rounded", 130'000, 12'345, 1'605},
      // 1,000.05 × 9 % = 90.0045 → 90.00.
      {"9 % rounded down", 90'000, 100'005, 9'000},
      // 0.50 × 13 % = 0.065 → 0.07.
      {"half up", 130'000, 50, 7},
      // No CNY 50 rule for refunds: 200.00 × 13 % = 26.00 is paid out.
      {"small refund not waived", 130'000, 20'000, 2'600},
      {"no refund rate", 0, 1'000'000, 0},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    const TariffLine line = with_refund(ad_valorem(0), c.refund_ppm);
    EXPECT_EQ(refund_amount(line, Money{c.value_fen}).fen, c.want_fen);
  }
}

TEST(TaxDepreciatedValue, StraightLineOverTheSupervisionPeriod) {
  struct Case {
    std::string_view name;
    int64_t original_fen;
    int months;
    int years;
    int64_t want_fen;
  };
  constexpr Case kCases[] = {
      {"no month yet", 12'000'000, 0, 3, 12'000'000},
      // 120,000 × (1 − 12/36) = 80,000.00.
      {"one year of three", 12'000'000, 12, 3, 8'000'000},
      // 100,000 × (1 − 1/36) = 97,222.2222… → 97,222.22.
      {"one month of 36", 10'000'000, 1, 3, 9'722'222},
      // 36,000 × 1/36 = 1,000.00.
      {"last month of three years", 3'600'000, 35, 3, 100'000},
      {"three years over", 3'600'000, 36, 3, 0},
      {"past the period", 3'600'000, 37, 3, 0},
      // 0.01 × 18/36 = 0.005 → 0.01; 0.03 × 30/36 = 0.025 → 0.03 (half up).
      {"half a fen up", 1, 18, 3, 1},
      {"two and a half fen up", 3, 6, 3, 3},
      // Chapter 87, 6 years: 300,000 × (1 − 24/72) = 200,000.00.
      {"six years", 30'000'000, 24, 6, 20'000'000},
      // 288,000 × (1 − 36/72) = 144,000.00 (nothing would be due under 3 years).
      {"six years after three", 28'800'000, 36, 6, 14'400'000},
      {"six years over", 28'800'000, 72, 6, 0},
      // Chapters 88/89, 8 years: 1,000,000 × (1 − 30/96) = 687,500.00.
      {"eight years", 100'000'000, 30, 8, 68'750'000},
      // 960,000 × 1/96 = 10,000.00.
      {"last month of eight years", 96'000'000, 95, 8, 1'000'000},
      {"eight years over", 96'000'000, 96, 8, 0},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(depreciated_value(Money{c.original_fen}, c.months, c.years).fen, c.want_fen);
  }
}

// One line of a declaration and the taxes expected on it.
struct TaxLineCase {
  TariffLine tariff;
  int64_t value_fen;
  int64_t quantity_e4;
  bool duty_exempt;
  int64_t want_duty_fen;
  int64_t want_ct_fen;
  int64_t want_vat_fen;
};

struct DeclarationCase {
  std::string_view name;
  std::vector<TaxLineCase> lines;
  int64_t threshold_fen;
  bool waived_duty_in_vat_base;
  bool want_duty_waived;
  bool want_ct_waived;
  bool want_vat_waived;
};

void check_declaration(const DeclarationCase& c) {
  SCOPED_TRACE(c.name);
  const PolicyVersion policy = policy_with(c.threshold_fen, c.waived_duty_in_vat_base);
  std::vector<ImportTaxLine> lines;
  for (const TaxLineCase& l : c.lines) {
    lines.push_back(
        ImportTaxLine{&l.tariff, Money{l.value_fen}, Quantity{l.quantity_e4}, l.duty_exempt});
  }
  std::vector<ImportTaxes> out(lines.size());
  const Waivers waived = assess_import_taxes(lines, policy, out);
  EXPECT_EQ(waived.duty, c.want_duty_waived);
  EXPECT_EQ(waived.consumption_tax, c.want_ct_waived);
  EXPECT_EQ(waived.vat, c.want_vat_waived);
  for (size_t line_index = 0; line_index < lines.size(); ++line_index) {
    SCOPED_TRACE("line " + std::to_string(line_index));
    EXPECT_EQ(out[line_index].duty.fen, c.lines[line_index].want_duty_fen);
    EXPECT_EQ(out[line_index].consumption_tax.fen, c.lines[line_index].want_ct_fen);
    EXPECT_EQ(out[line_index].vat.fen, c.lines[line_index].want_vat_fen);
  }
}

constexpr int64_t kFifty = 5'000;  // the CNY 50.00 threshold, in fen

TEST(TaxAssessImportTaxes, WorkedCasesOfPolicySources) {
  const TariffLine electronics = ad_valorem(100'000);
  const TariffLine cosmetics = with_ct_ad_valorem(ad_valorem(50'000), 150'000);
  const TariffLine baijiu = with_ct_compound(ad_valorem(50'000), 200'000, 500'000);
  const TariffLine beer = with_ct_specific(ad_valorem(0), 250'000'000);
  const TariffLine frozen_meat = specific(1'300'000, kVat9);
  const TariffLine camera = compound(30'000, 9'728'000'000);
  const TariffLine eur_goods = ad_valorem(80'000);
  const TariffLine wine = with_ct_ad_valorem(ad_valorem(140'000), 100'000);
  const DeclarationCase cases[] = {
      // Case 1: 355,000.00, qualifying: duty 0; VAT 355,000 × 13 % = 46,150.00.
      {"case 1 qualifying",
       {{electronics, 35'500'000, 0, true, 0, 0, 4'615'000}},
       kFifty,
       false,
       false,
       false,
       false},
      // Case 2: duty 35,500.00; VAT (355,000 + 35,500) × 13 % = 50,765.00.
      {"case 2 not qualifying",
       {{electronics, 35'500'000, 0, false, 3'550'000, 0, 5'076'500}},
       kFifty,
       false,
       false,
       false,
       false},
      // Case 3 qualifying: CT 31,235.29; VAT 208,235.29 × 13 % = 27,070.5877 → 27,070.59.
      {"case 3 qualifying",
       {{cosmetics, 17'700'000, 0, true, 0, 3'123'529, 2'707'059}},
       kFifty,
       false,
       false,
       false,
       false},
      // Case 3 not qualifying: duty 177,000 × 5 % = 8,850.00; CT 185,850 / 0.85 × 0.15
      // = 32,797.0588 → 32,797.06; VAT (177,000 + 8,850 + 32,797.06) × 13 % = 218,647.06
      // × 13 % = 28,424.1178 → 28,424.12.
      {"case 3 not qualifying",
       {{cosmetics, 17'700'000, 0, false, 885'000, 3'279'706, 2'842'412}},
       kFifty,
       false,
       false,
       false,
       false},
      // Case 4: duty 6,000.00; CT 32,125.00; VAT 158,125 × 13 % = 20,556.25.
      {"case 4 baijiu",
       {{baijiu, 12'000'000, 10'000'000, false, 600'000, 3'212'500, 2'055'625}},
       kFifty,
       false,
       false,
       false,
       false},
      // Case 4 qualifying: CT (120,000 + 500) / 0.8 × 0.2 + 500 = 30,625.00;
      // VAT (120,000 + 30,625) × 13 % = 19,581.25.
      {"case 4 baijiu qualifying",
       {{baijiu, 12'000'000, 10'000'000, true, 0, 3'062'500, 1'958'125}},
       kFifty,
       false,
       false,
       false,
       false},
      // Case 5: duty 0; CT 20 t × 250 = 5,000.00; VAT 65,000 × 13 % = 8,450.00.
      {"case 5 beer",
       {{beer, 6'000'000, 200'000, false, 0, 500'000, 845'000}},
       kFifty,
       false,
       false,
       false,
       false},
      // Case 6: duty 10,000 × 1.30 = 13,000.00; VAT 163,000 × 9 % = 14,670.00.
      {"case 6 frozen meat",
       {{frozen_meat, 15'000'000, 100'000'000, false, 1'300'000, 0, 1'467'000}},
       kFifty,
       false,
       false,
       false,
       false},
      // Case 7: duty 2,556 + 19,456 = 22,012.00; VAT 107,212 × 13 % = 13,937.56.
      {"case 7 camera",
       {{camera, 8'520'000, 20'000, false, 2'201'200, 0, 1'393'756}},
       kFifty,
       false,
       false,
       false,
       false},
      // Case 7 qualifying: VAT 85,200 × 13 % = 11,076.00.
      {"case 7 camera qualifying",
       {{camera, 8'520'000, 20'000, true, 0, 0, 1'107'600}},
       kFifty,
       false,
       false,
       false,
       false},
      // Case 8a: duty 1,000 × 4 % = 40.00 ≤ 50, waived; by default out of the VAT base:
      // VAT 1,000 × 13 % = 130.00.
      {"case 8a waived duty out of the VAT base",
       {{ad_valorem(40'000), 100'000, 0, false, 0, 0, 13'000}},
       kFifty,
       false,
       true,
       false,
       false},
      // Case 8a with the pack keeping it in: VAT 1,040 × 13 % = 135.20.
      {"case 8a waived duty kept in the VAT base",
       {{ad_valorem(40'000), 100'000, 0, false, 0, 0, 13'520}},
       kFifty,
       true,
       true,
       false,
       false},
      // Case 8b: duty 30.00 waived; VAT 300 × 13 % = 39.00 ≤ 50, waived too. Total 0.00.
      {"case 8b everything waived",
       {{ad_valorem(100'000), 30'000, 0, false, 0, 0, 0}},
       kFifty,
       false,
       true,
       false,
       true},
      // Case 8b keeping the duty: VAT 330 × 13 % = 42.90 ≤ 50, still waived.
      {"case 8b everything waived, duty kept in base",
       {{ad_valorem(100'000), 30'000, 0, false, 0, 0, 0}},
       kFifty,
       true,
       true,
       false,
       true},
      // Case 9 at exactly 30 % (qualifies): VAT 183,251.40 × 13 % = 23,822.682 → 23,822.68.
      {"case 9 qualifying",
       {{eur_goods, 18'325'140, 0, true, 0, 0, 2'382'268}},
       kFifty,
       false,
       false,
       false,
       false},
      // Case 9 at 29.99 %: duty 14,660.11; VAT 197,911.51 × 13 % = 25,728.4963 → 25,728.50.
      {"case 9 not qualifying",
       {{eur_goods, 18'325'140, 0, false, 1'466'011, 0, 2'572'850}},
       kFifty,
       false,
       false,
       false,
       false},
      // Case 10: duty 1,400.00; CT 1,266.67; VAT 12,666.67 × 13 % = 1,646.6671 → 1,646.67.
      {"case 10 wine",
       {{wine, 1'000'000, 0, false, 140'000, 126'667, 164'667}},
       kFifty,
       false,
       false,
       false,
       false},
  };
  for (const DeclarationCase& c : cases) check_declaration(c);
}

TEST(TaxAssessImportTaxes, TextbookCheck) {
  const TariffLine line = with_ct_ad_valorem(ad_valorem(50'000), 200'000);
  const DeclarationCase cases[] = {
      // Before the 50 rule (threshold 0): duty 5.00; CT 105 / 0.8 × 0.2 = 26.25;
      // VAT (100 + 5 + 26.25) × 13 % = 17.0625 → 17.06.
      {"before the 50 rule",
       {{line, 10'000, 0, false, 500, 2'625, 1'706}},
       0,
       false,
       false,
       false,
       false},
      // With the rule: duty 5.00 waived; CT 100 / 0.8 × 0.2 = 25.00 waived; VAT 100 × 13 %
      // = 13.00 waived. Nothing is due.
      {"with the 50 rule", {{line, 10'000, 0, false, 0, 0, 0}}, kFifty, false, true, true, true},
      // A hundred times the value: duty 500.00; CT 10,500 / 0.8 × 0.2 = 2,625.00;
      // VAT 13,125 × 13 % = 1,706.25. Nothing waived.
      {"a hundred times",
       {{line, 1'000'000, 0, false, 50'000, 262'500, 170'625}},
       kFifty,
       false,
       false,
       false,
       false},
  };
  for (const DeclarationCase& c : cases) check_declaration(c);
}

TEST(TaxAssessImportTaxes, RoundingOrder) {
  const DeclarationCase cases[] = {
      // The charged (rounded) duty enters the CT composite: duty 10.11 × 5 % = 0.5055 → 0.51;
      // CT (10.11 + 0.51) / 0.8 × 0.2 = 2.655 → 2.66 (the exact duty would give 2.65);
      // VAT (10.11 + 0.51 + 2.66) × 13 % = 1.7264 → 1.73.
      {"charged duty in the CT composite",
       {{with_ct_ad_valorem(ad_valorem(50'000), 200'000), 1'011, 0, false, 51, 266, 173}},
       0,
       false,
       false,
       false,
       false},
      // The charged duty enters the VAT base: 10.22 × 5 % = 0.511 → 0.51;
      // VAT 10.73 × 13 % = 1.3949 → 1.39 (the exact duty would give 1.40).
      {"charged duty in the VAT base",
       {{ad_valorem(50'000), 1'022, 0, false, 51, 0, 139}},
       0,
       false,
       false,
       false,
       false},
      // The charged CT enters the VAT base: 10.17 / 0.85 × 0.15 = 1.7947 → 1.79;
      // VAT 11.96 × 13 % = 1.5548 → 1.55 (the exact CT would give 1.56).
      {"charged CT in the VAT base",
       {{with_ct_ad_valorem(ad_valorem(0), 150'000), 1'017, 0, false, 0, 179, 155}},
       0,
       false,
       false,
       false,
       false},
      // Compound duty and compound CT on one line: duty 5,000 × 10 % + 100 × 2.50 = 750.00;
      // CT (5,000 + 750 + 100 × 0.5) / 0.8 × 0.2 + 50 = 1,450 + 50 = 1,500.00;
      // VAT (5,000 + 750 + 1,500) × 13 % = 942.50.
      {"compound duty and compound CT",
       {{with_ct_compound(compound(100'000, 2'500'000), 200'000, 500'000), 500'000, 1'000'000,
         false, 75'000, 150'000, 94'250}},
       kFifty,
       false,
       false,
       false,
       false},
      // Specific duty, ad valorem CT, 9 % VAT: duty 250 × 0.80 = 200.00; CT 2,200 / 0.95 ×
      // 0.05 = 115.789… → 115.79; VAT (2,000 + 200 + 115.79) × 9 % = 208.4211 → 208.42.
      {"specific duty, ad valorem CT, 9 % VAT",
       {{with_ct_ad_valorem(specific(800'000, kVat9), 50'000), 200'000, 2'500'000, false, 20'000,
         11'579, 20'842}},
       kFifty,
       false,
       false,
       false,
       false},
      // Large amounts: duty 1e9 × 25 % = 250,000,000.00; CT 1.25e9 / 0.7 × 0.3
      // = 535,714,285.71; VAT 1,785,714,285.71 × 13 % = 232,142,857.1423 → 232,142,857.14.
      {"large amounts",
       {{with_ct_ad_valorem(ad_valorem(250'000), 300'000), 100'000'000'000, 0, false,
         25'000'000'000, 53'571'428'571, 23'214'285'714}},
       kFifty,
       false,
       false,
       false,
       false},
  };
  for (const DeclarationCase& c : cases) check_declaration(c);
}

TEST(TaxAssessImportTaxes, FiftyYuanWaiverPerDeclarationAndTaxType) {
  const DeclarationCase cases[] = {
      // Duty exactly 50.00 (1,000 × 5 %) is waived; VAT 1,000 × 13 % = 130.00.
      {"duty exactly 50.00 waived",
       {{ad_valorem(50'000), 100'000, 0, false, 0, 0, 13'000}},
       kFifty,
       false,
       true,
       false,
       false},
      // Duty 1,000.20 × 5 % = 50.01 is due; VAT 1,050.21 × 13 % = 136.5273 → 136.53.
      {"duty 50.01 due",
       {{ad_valorem(50'000), 100'020, 0, false, 5'001, 0, 13'653}},
       kFifty,
       false,
       false,
       false,
       false},
      // CT waived, duty not: duty 1,000 × 10 % = 100.00; CT 1,100 / 0.96 × 0.04
      // = 45.833 → 45.83 ≤ 50, waived and out of the VAT base: VAT 1,100 × 13 % = 143.00.
      {"CT waived alone",
       {{with_ct_ad_valorem(ad_valorem(100'000), 40'000), 100'000, 0, false, 10'000, 0, 14'300}},
       kFifty,
       false,
       false,
       true,
       false},
      // Waived duty leaves the CT composite too: duty 800 × 5 % = 40.00 waived;
      // CT 800 / 0.9 × 0.1 = 88.888… → 88.89; VAT (800 + 88.89) × 13 % = 115.5557 → 115.56.
      {"waived duty out of the CT and VAT bases",
       {{with_ct_ad_valorem(ad_valorem(50'000), 100'000), 80'000, 0, false, 0, 8'889, 11'556}},
       kFifty,
       false,
       true,
       false,
       false},
      // The pack keeps the waived duty in the VAT base (only: it always leaves
      // the CT composite price): CT 800 / 0.9 × 0.1 = 88.888… → 88.89;
      // VAT (800 + 40 + 88.89) × 13 % = 928.89 × 13 % = 120.7557 → 120.76.
      {"waived duty kept in the VAT base",
       {{with_ct_ad_valorem(ad_valorem(50'000), 100'000), 80'000, 0, false, 0, 8'889, 12'076}},
       kFifty,
       true,
       true,
       false,
       false},
      // VAT alone waived: duty 0 % (nothing to waive); VAT 300 × 13 % = 39.00 ≤ 50.
      {"VAT alone waived",
       {{ad_valorem(0), 30'000, 0, false, 0, 0, 0}},
       kFifty,
       false,
       false,
       false,
       true},
      // The rule compares the rounded VAT: 555.55 × 9 % = 49.9995 → 50.00 ≤ 50, waived.
      {"VAT rounding to exactly 50.00 waived",
       {{ad_valorem(0, kVat9), 55'555, 0, false, 0, 0, 0}},
       kFifty,
       false,
       false,
       false,
       true},
      // Two lines of 30.00 duty each: the declaration's 60.00 > 50, nothing waived;
      // VAT per line 330 × 13 % = 42.90, total 85.80 > 50.
      {"two small duties add up over 50",
       {{ad_valorem(100'000), 30'000, 0, false, 3'000, 0, 4'290},
        {ad_valorem(100'000), 30'000, 0, false, 3'000, 0, 4'290}},
       kFifty,
       false,
       false,
       false,
       false},
      // Totals are sums of rounded lines: 500.09 × 5 % = 25.0045 → 25.00 per line, total
      // 50.00 ≤ 50, waived (the unrounded 50.009 would round to 50.01). VAT 500.09 × 13 %
      // = 65.0117 → 65.01 per line.
      {"total of rounded lines",
       {{ad_valorem(50'000), 50'009, 0, false, 0, 0, 6'501},
        {ad_valorem(50'000), 50'009, 0, false, 0, 0, 6'501}},
       kFifty,
       false,
       true,
       false,
       false},
      // A duty-exempt line adds nothing to the duty total: the other line's 400 × 10 % = 40.00
      // is waived; VAT 355,000 × 13 % = 46,150.00 and 400 × 13 % = 52.00.
      {"exempt line and a small duty",
       {{ad_valorem(100'000), 35'500'000, 0, true, 0, 0, 4'615'000},
        {ad_valorem(100'000), 40'000, 0, false, 0, 0, 5'200}},
       kFifty,
       false,
       true,
       false,
       false},
      // Specific duty 10 × 1.30 = 13.00 and 300 × 5 % = 15.00: total 28.00, waived.
      // CT on line 2: 300 / 0.9 × 0.1 = 33.33, waived. VAT 200 × 9 % = 18.00 and
      // 300 × 13 % = 39.00: total 57.00 > 50, due.
      {"duty and CT waived, VAT due",
       {{specific(1'300'000, kVat9), 20'000, 100'000, false, 0, 0, 1'800},
        {with_ct_ad_valorem(ad_valorem(50'000), 100'000), 30'000, 0, false, 0, 0, 3'900}},
       kFifty,
       false,
       true,
       true,
       false},
      // CT of two beer lines, 0.1 t × 250 = 25.00 each: 50.00 in all, waived. VAT 200 × 13 %
      // = 26.00 each, 52.00 in all, due.
      {"CT of two lines exactly 50.00",
       {{with_ct_specific(ad_valorem(0), 250'000'000), 20'000, 1'000, false, 0, 0, 2'600},
        {with_ct_specific(ad_valorem(0), 250'000'000), 20'000, 1'000, false, 0, 0, 2'600}},
       kFifty,
       false,
       false,
       true,
       false},
      // A pack with no waiver (threshold 0): duty 30.00 and VAT 42.90 are due.
      {"threshold zero",
       {{ad_valorem(100'000), 30'000, 0, false, 3'000, 0, 4'290}},
       0,
       false,
       false,
       false,
       false},
  };
  for (const DeclarationCase& c : cases) check_declaration(c);
}

}  // namespace
}  // namespace zg
