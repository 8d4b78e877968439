// Table tests for treat_item, movement by movement (ARCHITECTURE.md, "Lines
// and movements"; DOMAIN.md §2-§5). Where a movement owes import taxes, the
// case goes on through assess_import_taxes (taxes.h) with the treatment's
// customs value and duty exemption, as the engine does, and checks the
// figures. Every figure was worked out by hand (and checked with Python's
// decimal module, ROUND_HALF_UP); the arithmetic is in the comment beside
// the row. Rates are illustrative, as in policy-sources.md §11.
#include "assess/treatment.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "assess/taxes.h"

namespace zg {
namespace {

// ---- The policy: a small Hengqin pack built in code.

TariffLine tariff_line(std::string hs, std::string unit, DutyKind duty_kind, int64_t duty_ppm,
                       int64_t duty_per_unit_ppm, int64_t vat_ppm, ExciseKind ct_kind,
                       int64_t ct_ppm, int64_t ct_per_unit_ppm, int64_t refund_ppm) {
  TariffLine line;
  line.hs = std::move(hs);
  line.unit = std::move(unit);
  line.duty_kind = duty_kind;
  line.duty_rate = Rate{duty_ppm};
  line.duty_specific = Rate{duty_per_unit_ppm};
  line.vat_rate = Rate{vat_ppm};
  line.ct_kind = ct_kind;
  line.ct_rate = Rate{ct_ppm};
  line.ct_specific = Rate{ct_per_unit_ppm};
  line.export_refund_rate = Rate{refund_ppm};
  return line;
}

HsList hs_list(std::string name, std::vector<std::pair<std::string, bool>> entries) {
  HsList list;
  list.set_name(std::move(name));
  for (auto& [prefix, include] : entries) list.add(HsList::Entry{prefix, include, "test"});
  return list;
}

constexpr DutyKind kAdValorem = DutyKind::kAdValorem;
constexpr ExciseKind kNoCt = ExciseKind::kNone;

PolicyVersion hengqin() {
  PolicyVersion policy;
  policy.id = "test@2024-03-01";
  policy.effective_from = Date{2024, 3, 1};
  // hs, unit, duty kind, duty rate, duty per unit, VAT, CT kind, CT rate, CT per unit, refund.
  const TariffLine lines[] = {
      tariff_line("84798999", "pcs", kAdValorem, 50'000, 0, 130'000, kNoCt, 0, 0, 130'000),
      tariff_line("84181000", "pcs", kAdValorem, 80'000, 0, 130'000, kNoCt, 0, 0, 130'000),
      tariff_line("84807100", "pcs", kAdValorem, 50'000, 0, 130'000, kNoCt, 0, 0, 130'000),
      tariff_line("87032100", "pcs", kAdValorem, 150'000, 0, 130'000, ExciseKind::kAdValorem,
                  10'000, 0, 0),
      tariff_line("87042100", "pcs", kAdValorem, 150'000, 0, 130'000, kNoCt, 0, 0, 0),
      tariff_line("88023000", "pcs", kAdValorem, 50'000, 0, 130'000, kNoCt, 0, 0, 0),
      tariff_line("89039900", "pcs", kAdValorem, 100'000, 0, 130'000, kNoCt, 0, 0, 0),
      tariff_line("93020000", "pcs", kAdValorem, 130'000, 0, 130'000, kNoCt, 0, 0, 0),
      tariff_line("24022000", "stick", kAdValorem, 250'000, 0, 130'000, ExciseKind::kAdValorem,
                  360'000, 0, 0),
      tariff_line("22042100", "l", kAdValorem, 140'000, 0, 130'000, ExciseKind::kAdValorem, 100'000,
                  0, 130'000),
      tariff_line("22089020", "500g", kAdValorem, 50'000, 0, 130'000, ExciseKind::kCompound,
                  200'000, 500'000, 0),
      tariff_line("22030000", "t", kAdValorem, 0, 0, 130'000, ExciseKind::kSpecific, 0, 250'000'000,
                  0),
      tariff_line("02023000", "kg", DutyKind::kSpecific, 0, 1'300'000, 90'000, kNoCt, 0, 0, 0),
      tariff_line("85258900", "pcs", DutyKind::kCompound, 30'000, 9'728'000'000, 130'000, kNoCt, 0,
                  0, 130'000),
      tariff_line("85176200", "pcs", kAdValorem, 100'000, 0, 130'000, kNoCt, 0, 0, 130'000),
      tariff_line("33049900", "kg", kAdValorem, 50'000, 0, 130'000, ExciseKind::kAdValorem, 150'000,
                  0, 130'000),
      tariff_line("90318000", "pcs", kAdValorem, 80'000, 0, 130'000, kNoCt, 0, 0, 130'000),
      tariff_line("94036000", "pcs", kAdValorem, 100'000, 0, 130'000, kNoCt, 0, 0, 130'000),
      tariff_line("85171300", "pcs", kAdValorem, 0, 0, 130'000, kNoCt, 0, 0, 130'000),
      tariff_line("49019900", "kg", kAdValorem, 0, 0, 90'000, kNoCt, 0, 0, 90'000),
  };
  for (const TariffLine& line : lines) policy.tariff.add(line);
  policy.prohibited = hs_list("prohibited", {{"93", true}, {"130211", true}});
  policy.licence_required = hs_list("licence_required", {{"24", true}, {"2710", true}});
  policy.first_line_exempt = hs_list("first_line_exempt", {{"84", true},
                                                           {"8418", false},
                                                           {"8450", false},
                                                           {"8415", false},
                                                           {"8480", true},
                                                           {"7214", true},
                                                           {"87", false},
                                                           {"88", false},
                                                           {"89", false}});
  policy.refund_negative =
      hs_list("refund_negative",
              {{"2203", true}, {"2204", true}, {"2208", true}, {"24", true}, {"3303", true}});
  policy.supervision_years_default = 3;
  policy.supervision_periods = {SupervisionPeriod{{"88", "89"}, 8}, SupervisionPeriod{{"87"}, 6}};
  return policy;
}

// Hainan's model: goods not on the taxable catalogue enter zero-tariff.
PolicyVersion hainan() {
  PolicyVersion policy = hengqin();
  policy.first_line_model = FirstLineModel::kNegativeList;
  policy.first_line_taxable = hs_list("first_line_taxable", {{"2204", true}, {"87", true}});
  return policy;
}

// ---- Enterprises.

constexpr EnterpriseFacts kOrdinary{.legal_person = true, .registered_in_zone = true};
constexpr EnterpriseFacts kApproved{
    .legal_person = true, .registered_in_zone = true, .duty_free_importer = true};
constexpr EnterpriseFacts kNotLegalPerson{.legal_person = false, .registered_in_zone = true};
constexpr EnterpriseFacts kNotInZone{.legal_person = true, .registered_in_zone = false};
constexpr EnterpriseFacts kEncouraged{
    .legal_person = true, .registered_in_zone = true, .encouraged_industry = true};
constexpr EnterpriseFacts kNoRefund{
    .legal_person = true, .registered_in_zone = true, .refund_eligible = false};

// ---- What the account book gives up.

HeldGoods held(GoodsStatus status, std::string hs, int64_t value_fen) {
  HeldGoods goods;
  goods.status = status;
  goods.hs = std::move(hs);
  goods.value = Money{value_fen};
  if (is_untaxed_foreign(status)) goods.foreign_content = Money{value_fen};
  return goods;
}

HeldGoods produced(std::string hs, int64_t value_fen, int64_t foreign_fen, int64_t domestic_fen) {
  HeldGoods goods = held(GoodsStatus::kProduced, std::move(hs), value_fen);
  goods.foreign_content = Money{foreign_fen};
  goods.domestic_content = Money{domestic_fen};
  return goods;
}

HeldGoods exempt(std::string hs, std::vector<ExemptEntry> entries) {
  Money total;
  for (const ExemptEntry& entry : entries) total += entry.value;
  HeldGoods goods = held(GoodsStatus::kExempt, std::move(hs), total.fen);
  goods.exempt_entries = std::move(entries);
  return goods;
}

// ---- One case: the facts, and what the treatment (and taxes) must be.

struct Want {
  std::optional<ErrorCode> error{};
  std::string_view error_field{};
  GoodsStatus goods_status = GoodsStatus::kBonded;
  GoodsStatus status_after = GoodsStatus::kBonded;
  int64_t customs_value_fen = 0;
  bool import_taxes = false;
  bool duty_exempt = false;
  int64_t duty_fen = 0;  // after the declaration's CNY 50 waiver (one item per declaration)
  int64_t ct_fen = 0;
  int64_t vat_fen = 0;
  bool refund = false;
  int64_t refund_fen = 0;
  bool transfer_vat = false;
  std::optional<bool> va_qualifies{};
  std::optional<bool> va_enterprise_eligible{};
  std::vector<std::string_view> rules{};  // each must be among the treatment's rules
};

struct TreatCase {
  std::string_view name;
  const PolicyVersion* policy = nullptr;  // nullptr: the Hengqin policy
  Movement movement = Movement::kFirstLineEntry;
  std::string_view purpose = "trade";
  std::string_view hs;
  int64_t declared_fen = 0;
  int64_t quantity_e4 = 10'000;
  Date date{2024, 6, 1};
  bool has_licence = false;
  const EnterpriseFacts* declarant = &kOrdinary;
  const EnterpriseFacts* counterparty = nullptr;
  std::optional<HeldGoods> held{};
  Want want{};
};

void run_case(const TreatCase& c, const PolicyVersion& hengqin_policy) {
  SCOPED_TRACE(c.name);
  const PolicyVersion& policy = c.policy != nullptr ? *c.policy : hengqin_policy;
  const TariffLine* tariff = policy.tariff.find(c.hs);
  ASSERT_NE(tariff, nullptr) << c.hs;
  ItemFacts facts;
  facts.movement = c.movement;
  facts.purpose = parse_purpose(c.purpose).value_or(Purpose::kTrade);
  facts.purpose_text = c.purpose;
  facts.tariff = tariff;
  facts.declared_value = Money{c.declared_fen};
  facts.quantity = Quantity{c.quantity_e4};
  facts.date = c.date;
  facts.has_licence = c.has_licence;
  facts.declarant = c.declarant;
  facts.counterparty = c.counterparty;
  facts.held = c.held.has_value() ? &*c.held : nullptr;

  const Result<ItemTreatment> result = treat_item(facts, policy);
  if (c.want.error.has_value()) {
    ASSERT_FALSE(result.is_ok());
    EXPECT_EQ(error_code_name(result.status().first().code), error_code_name(*c.want.error));
    EXPECT_EQ(result.status().first().field, c.want.error_field);
    return;
  }
  ASSERT_TRUE(result.is_ok()) << result.status().first().message;
  const ItemTreatment& t = result.value();
  EXPECT_EQ(goods_status_name(t.goods_status), goods_status_name(c.want.goods_status));
  EXPECT_EQ(goods_status_name(t.status_after), goods_status_name(c.want.status_after));
  EXPECT_EQ(t.declared_value.fen, c.declared_fen);
  EXPECT_EQ(t.customs_value.fen, c.want.customs_value_fen);
  EXPECT_EQ(t.import_taxes, c.want.import_taxes);
  EXPECT_EQ(t.duty_exempt, c.want.duty_exempt);
  EXPECT_EQ(t.refund, c.want.refund);
  EXPECT_EQ(t.transfer_vat, c.want.transfer_vat);
  for (std::string_view rule : c.want.rules) {
    EXPECT_NE(std::find(t.rules.begin(), t.rules.end(), rule), t.rules.end())
        << "missing rule " << rule << "; rules: " << testing::PrintToString(t.rules);
  }
  if (c.want.va_qualifies.has_value()) {
    ASSERT_TRUE(t.value_added.has_value());
    EXPECT_EQ(t.value_added->qualifies, *c.want.va_qualifies);
  }
  if (c.want.va_enterprise_eligible.has_value()) {
    EXPECT_EQ(t.value_added_enterprise_eligible, *c.want.va_enterprise_eligible);
  }
  // The taxes, as the engine computes them for a one-item declaration.
  if (t.import_taxes) {
    const ImportTaxLine line{tariff, t.customs_value, facts.quantity, t.duty_exempt};
    ImportTaxes taxes[1];
    (void)assess_import_taxes(std::span<const ImportTaxLine>(&line, 1), policy, taxes);
    EXPECT_EQ(taxes[0].duty.fen, c.want.duty_fen);
    EXPECT_EQ(taxes[0].consumption_tax.fen, c.want.ct_fen);
    EXPECT_EQ(taxes[0].vat.fen, c.want.vat_fen);
  }
  if (t.refund) {
    EXPECT_EQ(refund_amount(*tariff, t.customs_value).fen, c.want.refund_fen);
  }
}

// ---- First-line entry (Macao → zone).

TEST(TreatFirstLineEntry, PositiveListApprovedImporterOwnUse) {
  const PolicyVersion policy = hengqin();
  PolicyVersion no_approval_needed = hengqin();
  no_approval_needed.exempt_requires_approved_importer = false;
  PolicyVersion processing_exempt = hengqin();
  processing_exempt.exempt_purposes = {"own_use", "processing"};
  constexpr GoodsStatus kBonded = GoodsStatus::kBonded;
  constexpr GoodsStatus kExempt = GoodsStatus::kExempt;
  const TreatCase cases[] = {
      {.name = "listed machine, approved importer, own use: exempt",
       .purpose = "own_use",
       .hs = "84798999",
       .declared_fen = 20'000'000,
       .declarant = &kApproved,
       .want = {.goods_status = kExempt,
                .status_after = kExempt,
                .customs_value_fen = 20'000'000,
                .rules = {"first-line/exempt", "list/first_line_exempt/84"}}},
      {.name = "listed machine, importer not approved: bonded",
       .purpose = "own_use",
       .hs = "84798999",
       .declared_fen = 20'000'000,
       .declarant = &kOrdinary,
       .want = {.goods_status = kBonded,
                .status_after = kBonded,
                .customs_value_fen = 20'000'000,
                .rules = {"first-line/bonded"}}},
      {.name = "listed machine for processing: bonded",
       .purpose = "processing",
       .hs = "84798999",
       .declared_fen = 20'000'000,
       .declarant = &kApproved,
       .want = {.goods_status = kBonded,
                .status_after = kBonded,
                .customs_value_fen = 20'000'000,
                .rules = {"first-line/bonded"}}},
      {.name = "listed machine for trade: bonded",
       .purpose = "trade",
       .hs = "84798999",
       .declared_fen = 20'000'000,
       .declarant = &kApproved,
       .want = {.goods_status = kBonded,
                .status_after = kBonded,
                .customs_value_fen = 20'000'000,
                .rules = {"first-line/bonded"}}},
      {.name = "mould (8480 inside 84): exempt",
       .purpose = "own_use",
       .hs = "84807100",
       .declared_fen = 5'000'000,
       .declarant = &kApproved,
       .want = {.goods_status = kExempt,
                .status_after = kExempt,
                .customs_value_fen = 5'000'000,
                .rules = {"first-line/exempt", "list/first_line_exempt/8480"}}},
      {.name = "household refrigerator (8418 excluded): bonded",
       .purpose = "own_use",
       .hs = "84181000",
       .declared_fen = 500'000,
       .declarant = &kApproved,
       .want = {.goods_status = kBonded,
                .status_after = kBonded,
                .customs_value_fen = 500'000,
                .rules = {"first-line/bonded", "list/first_line_exempt/8418-excluded"}}},
      {.name = "car (chapter 87) never exempt",
       .purpose = "own_use",
       .hs = "87032100",
       .declared_fen = 15'000'000,
       .declarant = &kApproved,
       .want = {.goods_status = kBonded,
                .status_after = kBonded,
                .customs_value_fen = 15'000'000,
                .rules = {"first-line/bonded", "list/first_line_exempt/87-excluded"}}},
      {.name = "aircraft (chapter 88) never exempt",
       .purpose = "own_use",
       .hs = "88023000",
       .declared_fen = 96'000'000,
       .declarant = &kApproved,
       .want = {.goods_status = kBonded,
                .status_after = kBonded,
                .customs_value_fen = 96'000'000,
                .rules = {"first-line/bonded", "list/first_line_exempt/88-excluded"}}},
      {.name = "yacht (chapter 89) never exempt",
       .purpose = "own_use",
       .hs = "89039900",
       .declared_fen = 50'000'000,
       .declarant = &kApproved,
       .want = {.goods_status = kBonded,
                .status_after = kBonded,
                .customs_value_fen = 50'000'000,
                .rules = {"first-line/bonded", "list/first_line_exempt/89-excluded"}}},
      {.name = "unlisted wine: bonded",
       .purpose = "own_use",
       .hs = "22042100",
       .declared_fen = 1'000'000,
       .declarant = &kApproved,
       .want = {.goods_status = kBonded,
                .status_after = kBonded,
                .customs_value_fen = 1'000'000,
                .rules = {"first-line/bonded"}}},
      {.name = "cigarettes with a licence: bonded",
       .purpose = "trade",
       .hs = "24022000",
       .declared_fen = 3'000'000,
       .has_licence = true,
       .want = {.goods_status = kBonded,
                .status_after = kBonded,
                .customs_value_fen = 3'000'000,
                .rules = {"first-line/bonded", "list/licence_required/24"}}},
      {.name = "pack without the approval condition: exempt for anyone",
       .policy = &no_approval_needed,
       .purpose = "own_use",
       .hs = "84798999",
       .declared_fen = 20'000'000,
       .declarant = &kOrdinary,
       .want = {.goods_status = kExempt,
                .status_after = kExempt,
                .customs_value_fen = 20'000'000,
                .rules = {"first-line/exempt"}}},
      {.name = "pack with processing as an exempt purpose",
       .policy = &processing_exempt,
       .purpose = "processing",
       .hs = "84798999",
       .declared_fen = 20'000'000,
       .declarant = &kApproved,
       .want = {.goods_status = kExempt,
                .status_after = kExempt,
                .customs_value_fen = 20'000'000,
                .rules = {"first-line/exempt"}}},
  };
  for (const TreatCase& c : cases) run_case(c, policy);
}

TEST(TreatFirstLineEntry, ProhibitedAndLicensedGoods) {
  const PolicyVersion policy = hengqin();
  const TreatCase cases[] = {
      {.name = "prohibited goods refused",
       .hs = "93020000",
       .declared_fen = 100'000,
       .want = {.error = ErrorCode::kProhibitedGoods, .error_field = "hs"}},
      {.name = "prohibited even for an approved importer's own use",
       .purpose = "own_use",
       .hs = "93020000",
       .declared_fen = 100'000,
       .declarant = &kApproved,
       .want = {.error = ErrorCode::kProhibitedGoods, .error_field = "hs"}},
      {.name = "licence list without a licence",
       .hs = "24022000",
       .declared_fen = 3'000'000,
       .has_licence = false,
       .want = {.error = ErrorCode::kLicenceRequired, .error_field = "licence"}},
  };
  for (const TreatCase& c : cases) run_case(c, policy);
}

TEST(TreatFirstLineEntry, NegativeListModel) {
  const PolicyVersion policy = hengqin();
  const PolicyVersion negative = hainan();
  constexpr GoodsStatus kExempt = GoodsStatus::kExempt;
  constexpr GoodsStatus kPaid = GoodsStatus::kPaid;
  const TreatCase cases[] = {
      {.name = "machine off the taxable list: zero tariff",
       .policy = &negative,
       .purpose = "own_use",
       .hs = "84798999",
       .declared_fen = 20'000'000,
       .declarant = &kApproved,
       .want = {.goods_status = kExempt,
                .status_after = kExempt,
                .customs_value_fen = 20'000'000,
                .rules = {"first-line/zero-tariff"}}},
      // Wine on the taxable list pays here (Case 10 figures): duty 10,000 × 14 % = 1,400.00;
      // CT 11,400 / 0.9 × 0.1 = 1,266.67; VAT 12,666.67 × 13 % = 1,646.67.
      {.name = "wine on the taxable list pays at the first line",
       .policy = &negative,
       .purpose = "own_use",
       .hs = "22042100",
       .declared_fen = 1'000'000,
       .declarant = &kApproved,
       .want = {.goods_status = kPaid,
                .status_after = kPaid,
                .customs_value_fen = 1'000'000,
                .import_taxes = true,
                .duty_fen = 140'000,
                .ct_fen = 126'667,
                .vat_fen = 164'667,
                .rules = {"first-line/taxable-list", "list/first_line_taxable/2204"}}},
      // Car: duty 150,000 × 15 % = 22,500.00; CT 172,500 / 0.99 × 0.01 = 1,742.4242…
      // → 1,742.42; VAT (150,000 + 22,500 + 1,742.42) × 13 % = 22,651.5146 → 22,651.51.
      {.name = "car on the taxable list",
       .policy = &negative,
       .purpose = "own_use",
       .hs = "87032100",
       .declared_fen = 15'000'000,
       .declarant = &kApproved,
       .want = {.goods_status = kPaid,
                .status_after = kPaid,
                .customs_value_fen = 15'000'000,
                .import_taxes = true,
                .duty_fen = 2'250'000,
                .ct_fen = 174'242,
                .vat_fen = 2'265'151,
                .rules = {"first-line/taxable-list", "list/first_line_taxable/87"}}},
      // Not an approved importer: pays. Duty 200,000 × 5 % = 10,000.00; VAT 210,000 × 13 %
      // = 27,300.00.
      {.name = "machine, importer not eligible, pays",
       .policy = &negative,
       .purpose = "own_use",
       .hs = "84798999",
       .declared_fen = 20'000'000,
       .declarant = &kOrdinary,
       .want = {.goods_status = kPaid,
                .status_after = kPaid,
                .customs_value_fen = 20'000'000,
                .import_taxes = true,
                .duty_fen = 1'000'000,
                .vat_fen = 2'730'000,
                .rules = {"first-line/not-eligible"}}},
      {.name = "machine for trade pays",
       .policy = &negative,
       .purpose = "trade",
       .hs = "84798999",
       .declared_fen = 20'000'000,
       .declarant = &kApproved,
       .want = {.goods_status = kPaid,
                .status_after = kPaid,
                .customs_value_fen = 20'000'000,
                .import_taxes = true,
                .duty_fen = 1'000'000,
                .vat_fen = 2'730'000,
                .rules = {"first-line/not-eligible"}}},
      {.name = "prohibited under the negative-list model too",
       .policy = &negative,
       .hs = "93020000",
       .declared_fen = 100'000,
       .want = {.error = ErrorCode::kProhibitedGoods, .error_field = "hs"}},
  };
  for (const TreatCase& c : cases) run_case(c, policy);
}

// ---- First-line exit (zone → Macao): free.

TEST(TreatFirstLineExit, FreeForEveryStatus) {
  const PolicyVersion policy = hengqin();
  constexpr Date kExit{2025, 1, 10};
  const TreatCase cases[] = {
      {.name = "bonded wine leaves for Macao",
       .movement = Movement::kFirstLineExit,
       .hs = "22042100",
       .declared_fen = 1'000'000,
       .date = kExit,
       .held = held(GoodsStatus::kBonded, "22042100", 1'000'000),
       .want = {.goods_status = GoodsStatus::kBonded,
                .status_after = GoodsStatus::kBonded,
                .customs_value_fen = 1'000'000,
                .rules = {"first-line/exit"}}},
      {.name = "exempt machine leaves for Macao, no back taxes",
       .movement = Movement::kFirstLineExit,
       .hs = "84798999",
       .declared_fen = 30'000'000,
       .date = kExit,
       .held = exempt("84798999", {{Money{36'000'000}, Date{2024, 3, 10}}}),
       .want = {.goods_status = GoodsStatus::kExempt,
                .status_after = GoodsStatus::kExempt,
                .customs_value_fen = 30'000'000,
                .rules = {"first-line/exit"}}},
      {.name = "zone-made goods leave for Macao",
       .movement = Movement::kFirstLineExit,
       .hs = "85176200",
       .declared_fen = 35'500'000,
       .date = kExit,
       .held = produced("85176200", 35'500'000, 30'000'000, 0),
       .want = {.goods_status = GoodsStatus::kProduced,
                .status_after = GoodsStatus::kProduced,
                .customs_value_fen = 35'500'000,
                .rules = {"first-line/exit"}}},
      {.name = "prohibited goods stopped at exit",
       .movement = Movement::kFirstLineExit,
       .hs = "93020000",
       .declared_fen = 100'000,
       .date = kExit,
       .held = held(GoodsStatus::kBonded, "93020000", 100'000),
       .want = {.error = ErrorCode::kProhibitedGoods, .error_field = "hs"}},
  };
  for (const TreatCase& c : cases) run_case(c, policy);
}

// ---- Second-line exit (zone → mainland): an import.

TEST(TreatSecondLineExit, BondedGoodsPayEverything) {
  const PolicyVersion policy = hengqin();
  constexpr GoodsStatus kBonded = GoodsStatus::kBonded;
  const TreatCase cases[] = {
      // Case 10 at the second line: 1,400.00 / 1,266.67 / 1,646.67.
      {.name = "wine, ad valorem duty and CT",
       .movement = Movement::kSecondLineExit,
       .hs = "22042100",
       .declared_fen = 1'000'000,
       .held = held(kBonded, "22042100", 1'000'000),
       .want = {.goods_status = kBonded,
                .status_after = kBonded,
                .customs_value_fen = 1'000'000,
                .import_taxes = true,
                .duty_fen = 140'000,
                .ct_fen = 126'667,
                .vat_fen = 164'667,
                .rules = {"second-line/import-bonded"}}},
      // Case 6: 10,000 kg × 1.30 = 13,000.00; VAT 163,000 × 9 % = 14,670.00.
      {.name = "case 6 frozen meat, specific duty, 9 % VAT",
       .movement = Movement::kSecondLineExit,
       .hs = "02023000",
       .declared_fen = 15'000'000,
       .quantity_e4 = 100'000'000,
       .held = held(kBonded, "02023000", 15'000'000),
       .want = {.goods_status = kBonded,
                .status_after = kBonded,
                .customs_value_fen = 15'000'000,
                .import_taxes = true,
                .duty_fen = 1'300'000,
                .vat_fen = 1'467'000}},
      // Case 5: duty 0; CT 20 t × 250 = 5,000.00; VAT 65,000 × 13 % = 8,450.00.
      {.name = "case 5 beer, specific CT",
       .movement = Movement::kSecondLineExit,
       .hs = "22030000",
       .declared_fen = 6'000'000,
       .quantity_e4 = 200'000,
       .held = held(kBonded, "22030000", 6'000'000),
       .want = {.goods_status = kBonded,
                .status_after = kBonded,
                .customs_value_fen = 6'000'000,
                .import_taxes = true,
                .ct_fen = 500'000,
                .vat_fen = 845'000}},
      // Case 4: duty 6,000.00; CT (126,000 + 500) / 0.8 × 0.2 + 500 = 32,125.00;
      // VAT 158,125 × 13 % = 20,556.25.
      {.name = "case 4 baijiu, compound CT, no processing",
       .movement = Movement::kSecondLineExit,
       .hs = "22089020",
       .declared_fen = 12'000'000,
       .quantity_e4 = 10'000'000,
       .held = held(kBonded, "22089020", 12'000'000),
       .want = {.goods_status = kBonded,
                .status_after = kBonded,
                .customs_value_fen = 12'000'000,
                .import_taxes = true,
                .duty_fen = 600'000,
                .ct_fen = 3'212'500,
                .vat_fen = 2'055'625}},
      // Case 7: 85,200 × 3 % + 2 × 9,728 = 22,012.00; VAT 107,212 × 13 % = 13,937.56.
      {.name = "case 7 camera, compound duty",
       .movement = Movement::kSecondLineExit,
       .hs = "85258900",
       .declared_fen = 8'520'000,
       .quantity_e4 = 20'000,
       .held = held(kBonded, "85258900", 8'520'000),
       .want = {.goods_status = kBonded,
                .status_after = kBonded,
                .customs_value_fen = 8'520'000,
                .import_taxes = true,
                .duty_fen = 2'201'200,
                .vat_fen = 1'393'756}},
  };
  for (const TreatCase& c : cases) run_case(c, policy);
}

TEST(TreatSecondLineExit, PaidAndDomesticGoodsOweNothing) {
  const PolicyVersion policy = hengqin();
  const TreatCase cases[] = {
      {.name = "paid goods",
       .movement = Movement::kSecondLineExit,
       .hs = "22042100",
       .declared_fen = 1'000'000,
       .held = held(GoodsStatus::kPaid, "22042100", 1'000'000),
       .want = {.goods_status = GoodsStatus::kPaid,
                .status_after = GoodsStatus::kPaid,
                .customs_value_fen = 0,
                .rules = {"second-line/already-taxed"}}},
      {.name = "domestic goods",
       .movement = Movement::kSecondLineExit,
       .hs = "94036000",
       .declared_fen = 1'000'000,
       .held = held(GoodsStatus::kDomestic, "94036000", 1'000'000),
       .want = {.goods_status = GoodsStatus::kDomestic,
                .status_after = GoodsStatus::kDomestic,
                .customs_value_fen = 0,
                .rules = {"second-line/domestic-goods"}}},
  };
  for (const TreatCase& c : cases) run_case(c, policy);
}

TEST(TreatSecondLineExit, ExemptGoodsPayBackTaxesOnDepreciatedValue) {
  const PolicyVersion policy = hengqin();
  constexpr GoodsStatus kExempt = GoodsStatus::kExempt;
  constexpr Date kMachineIn{2024, 3, 10};
  constexpr Date kVehicleIn{2024, 3, 1};
  const HeldGoods machine = exempt("84798999", {{Money{36'000'000}, kMachineIn}});
  const HeldGoods truck = exempt("87042100", {{Money{28'800'000}, kVehicleIn}});
  const HeldGoods aircraft = exempt("88023000", {{Money{96'000'000}, kVehicleIn}});
  const HeldGoods yacht = exempt("89039900", {{Money{50'000'000}, kVehicleIn}});
  const TreatCase cases[] = {
      // 360,000 × (1 − 12/36) = 240,000.00; duty 5 % = 12,000.00; VAT 252,000 × 13 %
      // = 32,760.00.
      {.name = "machine after 12 months",
       .movement = Movement::kSecondLineExit,
       .hs = "84798999",
       .declared_fen = 36'000'000,
       .date = {2025, 3, 10},
       .held = machine,
       .want = {.goods_status = kExempt,
                .status_after = kExempt,
                .customs_value_fen = 24'000'000,
                .import_taxes = true,
                .duty_fen = 1'200'000,
                .vat_fen = 3'276'000,
                .rules = {"second-line/exempt-back-taxes", "depreciation/3y/12m"}}},
      // 1 month and 15 days counts as 1: 360,000 × 35/36 = 350,000.00; duty 17,500.00;
      // VAT 367,500 × 13 % = 47,775.00.
      {.name = "machine after 1 month 15 days",
       .movement = Movement::kSecondLineExit,
       .hs = "84798999",
       .declared_fen = 36'000'000,
       .date = {2024, 4, 25},
       .held = machine,
       .want = {.goods_status = kExempt,
                .status_after = kExempt,
                .customs_value_fen = 35'000'000,
                .import_taxes = true,
                .duty_fen = 1'750'000,
                .vat_fen = 4'777'500,
                .rules = {"depreciation/3y/1m"}}},
      // 1 month and 16 days counts as 2: 360,000 × 34/36 = 340,000.00; duty 17,000.00;
      // VAT 357,000 × 13 % = 46,410.00.
      {.name = "machine after 1 month 16 days",
       .movement = Movement::kSecondLineExit,
       .hs = "84798999",
       .declared_fen = 36'000'000,
       .date = {2024, 4, 26},
       .held = machine,
       .want = {.goods_status = kExempt,
                .status_after = kExempt,
                .customs_value_fen = 34'000'000,
                .import_taxes = true,
                .duty_fen = 1'700'000,
                .vat_fen = 4'641'000,
                .rules = {"depreciation/3y/2m"}}},
      // 2024-03-10 to 2027-02-09: 34 months and 30 days = 35; 360,000 × 1/36 = 10,000.00;
      // duty 500.00; VAT 10,500 × 13 % = 1,365.00.
      {.name = "machine in the last month of supervision",
       .movement = Movement::kSecondLineExit,
       .hs = "84798999",
       .declared_fen = 36'000'000,
       .date = {2027, 2, 9},
       .held = machine,
       .want = {.goods_status = kExempt,
                .status_after = kExempt,
                .customs_value_fen = 1'000'000,
                .import_taxes = true,
                .duty_fen = 50'000,
                .vat_fen = 136'500,
                .rules = {"depreciation/3y/35m"}}},
      {.name = "machine after 3 years: nothing due",
       .movement = Movement::kSecondLineExit,
       .hs = "84798999",
       .declared_fen = 36'000'000,
       .date = {2027, 3, 10},
       .held = machine,
       .want = {.goods_status = kExempt,
                .status_after = kExempt,
                .customs_value_fen = 0,
                .rules = {"supervision/ended/3y"}}},
      // Month ends: from 2024-01-31 the first anniversary is 2024-02-29, so 2024-03-15 is
      // 1 month and 15 days = 1: 360,000 × 35/36 = 350,000.00; duty 17,500.00; VAT 47,775.00.
      {.name = "entered on the 31st, 1 month 15 days",
       .movement = Movement::kSecondLineExit,
       .hs = "84798999",
       .declared_fen = 36'000'000,
       .date = {2024, 3, 15},
       .held = exempt("84798999", {{Money{36'000'000}, Date{2024, 1, 31}}}),
       .want = {.goods_status = kExempt,
                .status_after = kExempt,
                .customs_value_fen = 35'000'000,
                .import_taxes = true,
                .duty_fen = 1'750'000,
                .vat_fen = 4'777'500,
                .rules = {"depreciation/3y/1m"}}},
      // 2024-03-16 is 1 month and 16 days = 2: 360,000 × 34/36 = 340,000.00; duty 17,000.00;
      // VAT 46,410.00.
      {.name = "entered on the 31st, 1 month 16 days",
       .movement = Movement::kSecondLineExit,
       .hs = "84798999",
       .declared_fen = 36'000'000,
       .date = {2024, 3, 16},
       .held = exempt("84798999", {{Money{36'000'000}, Date{2024, 1, 31}}}),
       .want = {.goods_status = kExempt,
                .status_after = kExempt,
                .customs_value_fen = 34'000'000,
                .import_taxes = true,
                .duty_fen = 1'700'000,
                .vat_fen = 4'641'000,
                .rules = {"depreciation/3y/2m"}}},
      // One portion past its 3 years, one not: 2024-03-10 → 2027-03-10 is 36 months (0);
      // 2025-03-10 → 2027-03-10 is 24 months: 60,000 × 12/36 = 20,000.00; duty 1,000.00;
      // VAT 21,000 × 13 % = 2,730.00.
      {.name = "one portion out of supervision, one in",
       .movement = Movement::kSecondLineExit,
       .hs = "84798999",
       .declared_fen = 18'000'000,
       .date = {2027, 3, 10},
       .held = exempt("84798999",
                      {{Money{12'000'000}, kMachineIn}, {Money{6'000'000}, Date{2025, 3, 10}}}),
       .want = {.goods_status = kExempt,
                .status_after = kExempt,
                .customs_value_fen = 2'000'000,
                .import_taxes = true,
                .duty_fen = 100'000,
                .vat_fen = 273'000,
                .rules = {"second-line/exempt-back-taxes"}}},
      // Two portions: 120,000 (12 months) → 80,000; 60,000 (6 months) → 60,000 × 30/36
      // = 50,000; base 130,000.00; duty 6,500.00; VAT 136,500 × 13 % = 17,745.00.
      {.name = "machine in two portions",
       .movement = Movement::kSecondLineExit,
       .hs = "84798999",
       .declared_fen = 18'000'000,
       .date = {2025, 3, 10},
       .held = exempt("84798999",
                      {{Money{12'000'000}, kMachineIn}, {Money{6'000'000}, Date{2024, 9, 10}}}),
       .want = {.goods_status = kExempt,
                .status_after = kExempt,
                .customs_value_fen = 13'000'000,
                .import_taxes = true,
                .duty_fen = 650'000,
                .vat_fen = 1'774'500,
                .rules = {"depreciation/3y/6m"}}},
      // Chapter 87, 6 years: 288,000 × (1 − 24/72) = 192,000.00; duty 15 % = 28,800.00;
      // VAT 220,800 × 13 % = 28,704.00.
      {.name = "truck after 24 months (6-year period)",
       .movement = Movement::kSecondLineExit,
       .hs = "87042100",
       .declared_fen = 28'800'000,
       .date = {2026, 3, 1},
       .held = truck,
       .want = {.goods_status = kExempt,
                .status_after = kExempt,
                .customs_value_fen = 19'200'000,
                .import_taxes = true,
                .duty_fen = 2'880'000,
                .vat_fen = 2'870'400,
                .rules = {"depreciation/6y/24m"}}},
      // Past 3 years, still supervised: 288,000 × 36/72 = 144,000.00; duty 21,600.00;
      // VAT 165,600 × 13 % = 21,528.00.
      {.name = "truck after 36 months still owes",
       .movement = Movement::kSecondLineExit,
       .hs = "87042100",
       .declared_fen = 28'800'000,
       .date = {2027, 3, 1},
       .held = truck,
       .want = {.goods_status = kExempt,
                .status_after = kExempt,
                .customs_value_fen = 14'400'000,
                .import_taxes = true,
                .duty_fen = 2'160'000,
                .vat_fen = 2'152'800,
                .rules = {"depreciation/6y/36m"}}},
      {.name = "truck after 6 years: nothing due",
       .movement = Movement::kSecondLineExit,
       .hs = "87042100",
       .declared_fen = 28'800'000,
       .date = {2030, 3, 1},
       .held = truck,
       .want = {.goods_status = kExempt,
                .status_after = kExempt,
                .customs_value_fen = 0,
                .rules = {"supervision/ended/6y"}}},
      // Chapter 88, 8 years: 960,000 × (1 − 36/96) = 600,000.00; duty 30,000.00;
      // VAT 630,000 × 13 % = 81,900.00.
      {.name = "aircraft after 36 months (8-year period)",
       .movement = Movement::kSecondLineExit,
       .hs = "88023000",
       .declared_fen = 96'000'000,
       .date = {2027, 3, 1},
       .held = aircraft,
       .want = {.goods_status = kExempt,
                .status_after = kExempt,
                .customs_value_fen = 60'000'000,
                .import_taxes = true,
                .duty_fen = 3'000'000,
                .vat_fen = 8'190'000,
                .rules = {"depreciation/8y/36m"}}},
      // Chapter 89: 500,000 × (1 − 84/96) = 62,500.00; duty 10 % = 6,250.00;
      // VAT 68,750 × 13 % = 8,937.50.
      {.name = "yacht after 84 months",
       .movement = Movement::kSecondLineExit,
       .hs = "89039900",
       .declared_fen = 50'000'000,
       .date = {2031, 3, 1},
       .held = yacht,
       .want = {.goods_status = kExempt,
                .status_after = kExempt,
                .customs_value_fen = 6'250'000,
                .import_taxes = true,
                .duty_fen = 625'000,
                .vat_fen = 893'750,
                .rules = {"depreciation/8y/84m"}}},
      {.name = "yacht after 8 years: nothing due",
       .movement = Movement::kSecondLineExit,
       .hs = "89039900",
       .declared_fen = 50'000'000,
       .date = {2032, 4, 1},
       .held = yacht,
       .want = {.goods_status = kExempt,
                .status_after = kExempt,
                .customs_value_fen = 0,
                .rules = {"supervision/ended/8y"}}},
  };
  for (const TreatCase& c : cases) run_case(c, policy);
}

TEST(TreatSecondLineExit, ZeroTariffGoodsPayOnTheDeclaredValue) {
  const PolicyVersion policy = hengqin();
  PolicyVersion negative = hainan();
  negative.exempt_exit_basis = ExemptExitBasis::kDeclaredValue;
  const TreatCase cases[] = {
      // Hainan-style: no depreciation, every tax on the goods as declared. Duty 200,000 × 5 %
      // = 10,000.00; VAT 210,000 × 13 % = 27,300.00.
      {.name = "zero-tariff machine leaves for the mainland",
       .policy = &negative,
       .movement = Movement::kSecondLineExit,
       .hs = "84798999",
       .declared_fen = 20'000'000,
       .date = {2025, 3, 10},
       .held = exempt("84798999", {{Money{36'000'000}, Date{2024, 3, 10}}}),
       .want = {.goods_status = GoodsStatus::kExempt,
                .status_after = GoodsStatus::kExempt,
                .customs_value_fen = 20'000'000,
                .import_taxes = true,
                .duty_fen = 1'000'000,
                .vat_fen = 2'730'000,
                .rules = {"second-line/exempt-back-taxes", "exempt-exit/declared-value"}}},
  };
  for (const TreatCase& c : cases) run_case(c, policy);
}

TEST(TreatSecondLineExit, ProducedGoodsAndTheThirtyPercentRule) {
  const PolicyVersion policy = hengqin();
  PolicyVersion over_sale = hengqin();
  over_sale.value_added_formula = ValueAddedFormula::kOverSale;
  PolicyVersion no_flag = hengqin();
  no_flag.no_foreign_input_duty_free = false;
  PolicyVersion encouraged_only = hengqin();
  encouraged_only.value_added_requires_encouraged_industry = true;
  constexpr GoodsStatus kProduced = GoodsStatus::kProduced;
  const TreatCase cases[] = {
      // Case 1: (355,000 − 262,962.96) / 262,962.96 = 35.00 %; duty 0;
      // VAT 355,000 × 13 % = 46,150.00.
      {.name = "case 1 qualifies",
       .movement = Movement::kSecondLineExit,
       .hs = "85176200",
       .declared_fen = 35'500'000,
       .held = produced("85176200", 35'500'000, 26'296'296, 0),
       .want = {.goods_status = kProduced,
                .status_after = kProduced,
                .customs_value_fen = 35'500'000,
                .import_taxes = true,
                .duty_exempt = true,
                .vat_fen = 4'615'000,
                .va_qualifies = true,
                .va_enterprise_eligible = true,
                .rules = {"second-line/import-produced", "value-added/qualifies"}}},
      // Case 2: (355,000 − 200,000 − 84,000) / 284,000 = 25 %; duty 35,500.00;
      // VAT 390,500 × 13 % = 50,765.00.
      {.name = "case 2 below 30 %",
       .movement = Movement::kSecondLineExit,
       .hs = "85176200",
       .declared_fen = 35'500'000,
       .held = produced("85176200", 35'500'000, 20'000'000, 8'400'000),
       .want = {.goods_status = kProduced,
                .status_after = kProduced,
                .customs_value_fen = 35'500'000,
                .import_taxes = true,
                .duty_fen = 3'550'000,
                .vat_fen = 5'076'500,
                .va_qualifies = false,
                .rules = {"value-added/below-threshold"}}},
      // Case 3: (177,000 − 126,000) / 126,000 = 40.48 %; duty 0; CT 177,000 / 0.85 × 0.15
      // = 31,235.29; VAT 208,235.29 × 13 % = 27,070.59.
      {.name = "case 3 cosmetics qualify",
       .movement = Movement::kSecondLineExit,
       .hs = "33049900",
       .declared_fen = 17'700'000,
       .held = produced("33049900", 17'700'000, 12'000'000, 600'000),
       .want = {.goods_status = kProduced,
                .status_after = kProduced,
                .customs_value_fen = 17'700'000,
                .import_taxes = true,
                .duty_exempt = true,
                .ct_fen = 3'123'529,
                .vat_fen = 2'707'059,
                .va_qualifies = true}},
      // Case 4 as a qualifying zone product: (120,000 − 80,000) / 80,000 = 50 %; CT
      // (120,000 + 500) / 0.8 × 0.2 + 500 = 30,625.00; VAT 150,625 × 13 % = 19,581.25.
      {.name = "case 4 baijiu qualifies",
       .movement = Movement::kSecondLineExit,
       .hs = "22089020",
       .declared_fen = 12'000'000,
       .quantity_e4 = 10'000'000,
       .held = produced("22089020", 12'000'000, 8'000'000, 0),
       .want = {.goods_status = kProduced,
                .status_after = kProduced,
                .customs_value_fen = 12'000'000,
                .import_taxes = true,
                .duty_exempt = true,
                .ct_fen = 3'062'500,
                .vat_fen = 1'958'125,
                .va_qualifies = true}},
      // Case 7 qualifying: (85,200 − 60,000) / 60,000 = 42 %; VAT 85,200 × 13 % = 11,076.00.
      {.name = "case 7 camera qualifies",
       .movement = Movement::kSecondLineExit,
       .hs = "85258900",
       .declared_fen = 8'520'000,
       .quantity_e4 = 20'000,
       .held = produced("85258900", 8'520'000, 6'000'000, 0),
       .want = {.goods_status = kProduced,
                .status_after = kProduced,
                .customs_value_fen = 8'520'000,
                .import_taxes = true,
                .duty_exempt = true,
                .vat_fen = 1'107'600,
                .va_qualifies = true}},
      // Case 9 under (S-M)/S: M = 128,275.98 = 0.7 × 183,251.40, exactly 30 %: duty 0;
      // VAT 183,251.40 × 13 % = 23,822.682 → 23,822.68.
      {.name = "case 9 exactly 30 %",
       .policy = &over_sale,
       .movement = Movement::kSecondLineExit,
       .hs = "90318000",
       .declared_fen = 18'325'140,
       .held = produced("90318000", 18'325'140, 12'827'598, 0),
       .want = {.goods_status = kProduced,
                .status_after = kProduced,
                .customs_value_fen = 18'325'140,
                .import_taxes = true,
                .duty_exempt = true,
                .vat_fen = 2'382'268,
                .va_qualifies = true}},
      // One fen more of M, just under 30 %: duty 183,251.40 × 8 % = 14,660.112 → 14,660.11;
      // VAT 197,911.51 × 13 % = 25,728.4963 → 25,728.50.
      {.name = "case 9 one fen under 30 %",
       .policy = &over_sale,
       .movement = Movement::kSecondLineExit,
       .hs = "90318000",
       .declared_fen = 18'325'140,
       .held = produced("90318000", 18'325'140, 12'827'599, 0),
       .want = {.goods_status = kProduced,
                .status_after = kProduced,
                .customs_value_fen = 18'325'140,
                .import_taxes = true,
                .duty_fen = 1'466'011,
                .vat_fen = 2'572'850,
                .va_qualifies = false}},
      // No imported materials: only 5 % value added, duty-free by the flag;
      // VAT 105,000 × 13 % = 13,650.00.
      {.name = "no imported materials",
       .movement = Movement::kSecondLineExit,
       .hs = "94036000",
       .declared_fen = 10'500'000,
       .held = produced("94036000", 10'500'000, 0, 10'000'000),
       .want = {.goods_status = kProduced,
                .status_after = kProduced,
                .customs_value_fen = 10'500'000,
                .import_taxes = true,
                .duty_exempt = true,
                .vat_fen = 1'365'000,
                .rules = {"value-added/no-imported-materials"}}},
      // Flag off: the ratio decides, 5 % < 30 %: duty 10,500.00; VAT 115,500 × 13 %
      // = 15,015.00.
      {.name = "no imported materials, flag off",
       .policy = &no_flag,
       .movement = Movement::kSecondLineExit,
       .hs = "94036000",
       .declared_fen = 10'500'000,
       .held = produced("94036000", 10'500'000, 0, 10'000'000),
       .want = {.goods_status = kProduced,
                .status_after = kProduced,
                .customs_value_fen = 10'500'000,
                .import_taxes = true,
                .duty_fen = 1'050'000,
                .vat_fen = 1'501'500,
                .va_qualifies = false,
                .rules = {"value-added/below-threshold"}}},
      // 42 % value added, but not an independent legal person: duty 35,500.00;
      // VAT 50,765.00.
      {.name = "enterprise not a legal person",
       .movement = Movement::kSecondLineExit,
       .hs = "85176200",
       .declared_fen = 35'500'000,
       .declarant = &kNotLegalPerson,
       .held = produced("85176200", 35'500'000, 25'000'000, 0),
       .want = {.goods_status = kProduced,
                .status_after = kProduced,
                .customs_value_fen = 35'500'000,
                .import_taxes = true,
                .duty_fen = 3'550'000,
                .vat_fen = 5'076'500,
                .va_qualifies = true,
                .va_enterprise_eligible = false,
                .rules = {"value-added/enterprise-not-eligible"}}},
      {.name = "enterprise not registered in the zone",
       .movement = Movement::kSecondLineExit,
       .hs = "85176200",
       .declared_fen = 35'500'000,
       .declarant = &kNotInZone,
       .held = produced("85176200", 35'500'000, 25'000'000, 0),
       .want = {.goods_status = kProduced,
                .status_after = kProduced,
                .customs_value_fen = 35'500'000,
                .import_taxes = true,
                .duty_fen = 3'550'000,
                .vat_fen = 5'076'500,
                .va_enterprise_eligible = false,
                .rules = {"value-added/enterprise-not-eligible"}}},
      // Hainan's switch on, ordinary enterprise: not eligible, duty due.
      {.name = "encouraged industry required, not encouraged",
       .policy = &encouraged_only,
       .movement = Movement::kSecondLineExit,
       .hs = "85176200",
       .declared_fen = 35'500'000,
       .declarant = &kOrdinary,
       .held = produced("85176200", 35'500'000, 25'000'000, 0),
       .want = {.goods_status = kProduced,
                .status_after = kProduced,
                .customs_value_fen = 35'500'000,
                .import_taxes = true,
                .duty_fen = 3'550'000,
                .vat_fen = 5'076'500,
                .va_enterprise_eligible = false,
                .rules = {"value-added/enterprise-not-eligible"}}},
      {.name = "encouraged industry required and met",
       .policy = &encouraged_only,
       .movement = Movement::kSecondLineExit,
       .hs = "85176200",
       .declared_fen = 35'500'000,
       .declarant = &kEncouraged,
       .held = produced("85176200", 35'500'000, 25'000'000, 0),
       .want = {.goods_status = kProduced,
                .status_after = kProduced,
                .customs_value_fen = 35'500'000,
                .import_taxes = true,
                .duty_exempt = true,
                .vat_fen = 4'615'000,
                .va_enterprise_eligible = true,
                .rules = {"value-added/qualifies"}}},
  };
  for (const TreatCase& c : cases) run_case(c, policy);
}

// ---- Second-line entry (mainland → zone): an export, with a refund.

TEST(TreatSecondLineEntry, RefundUnlessExcluded) {
  const PolicyVersion policy = hengqin();
  PolicyVersion no_refund = hengqin();
  no_refund.refund_on_second_line_entry = false;
  constexpr GoodsStatus kDomestic = GoodsStatus::kDomestic;
  const TreatCase cases[] = {
      // 10,000.00 × 13 % = 1,300.00.
      {.name = "smartphones, 13 % refund",
       .movement = Movement::kSecondLineEntry,
       .hs = "85171300",
       .declared_fen = 1'000'000,
       .want = {.goods_status = kDomestic,
                .status_after = kDomestic,
                .customs_value_fen = 1'000'000,
                .refund = true,
                .refund_fen = 130'000,
                .rules = {"second-line-entry/refund"}}},
      // 1,000.05 × 9 % = 90.0045 → 90.00.
      {.name = "books, 9 % refund",
       .movement = Movement::kSecondLineEntry,
       .hs = "49019900",
       .declared_fen = 100'005,
       .want = {.goods_status = kDomestic,
                .status_after = kDomestic,
                .customs_value_fen = 100'005,
                .refund = true,
                .refund_fen = 9'000}},
      // 123.45 × 13 % = 16.0485 → 16.05.
      {.name = "machine, refund rounded",
       .movement = Movement::kSecondLineEntry,
       .hs = "84798999",
       .declared_fen = 12'345,
       .want = {.goods_status = kDomestic,
                .status_after = kDomestic,
                .customs_value_fen = 12'345,
                .refund = true,
                .refund_fen = 1'605}},
      // No CNY 50 rule for refunds: 200.00 × 13 % = 26.00.
      {.name = "small refund paid",
       .movement = Movement::kSecondLineEntry,
       .hs = "85176200",
       .declared_fen = 20'000,
       .want = {.goods_status = kDomestic,
                .status_after = kDomestic,
                .customs_value_fen = 20'000,
                .refund = true,
                .refund_fen = 2'600}},
      {.name = "wine on the refund negative list",
       .movement = Movement::kSecondLineEntry,
       .hs = "22042100",
       .declared_fen = 1'000'000,
       .want = {.goods_status = kDomestic,
                .status_after = kDomestic,
                .customs_value_fen = 1'000'000,
                .rules = {"second-line-entry/refund-negative-list", "list/refund_negative/2204"}}},
      {.name = "tobacco on the refund negative list",
       .movement = Movement::kSecondLineEntry,
       .hs = "24022000",
       .declared_fen = 1'000'000,
       .want = {.goods_status = kDomestic,
                .status_after = kDomestic,
                .customs_value_fen = 1'000'000,
                .rules = {"second-line-entry/refund-negative-list"}}},
      {.name = "buyer lost refund eligibility",
       .movement = Movement::kSecondLineEntry,
       .hs = "85171300",
       .declared_fen = 1'000'000,
       .declarant = &kNoRefund,
       .want = {.goods_status = kDomestic,
                .status_after = kDomestic,
                .customs_value_fen = 1'000'000,
                .rules = {"second-line-entry/buyer-not-refund-eligible"}}},
      {.name = "pack without refunds",
       .policy = &no_refund,
       .movement = Movement::kSecondLineEntry,
       .hs = "85171300",
       .declared_fen = 1'000'000,
       .want = {.goods_status = kDomestic,
                .status_after = kDomestic,
                .customs_value_fen = 1'000'000,
                .rules = {"second-line-entry/no-refund"}}},
  };
  for (const TreatCase& c : cases) run_case(c, policy);
}

// ---- Transfers between zone enterprises.

TEST(TreatTransfer, BondedFreeExemptOnlyToApprovedImporters) {
  const PolicyVersion policy = hengqin();
  PolicyVersion vat_taxable = hengqin();
  vat_taxable.transfer_vat = TransferVat::kTaxable;
  constexpr GoodsStatus kBonded = GoodsStatus::kBonded;
  constexpr GoodsStatus kExempt = GoodsStatus::kExempt;
  constexpr GoodsStatus kPaid = GoodsStatus::kPaid;
  constexpr Date kTransferDate{2024, 9, 10};
  const HeldGoods machine = exempt("84798999", {{Money{36'000'000}, Date{2024, 3, 10}}});
  const TreatCase cases[] = {
      {.name = "bonded goods move freely",
       .movement = Movement::kTransfer,
       .hs = "22042100",
       .declared_fen = 1'000'000,
       .date = kTransferDate,
       .counterparty = &kOrdinary,
       .held = held(kBonded, "22042100", 1'000'000),
       .want = {.goods_status = kBonded,
                .status_after = kBonded,
                .customs_value_fen = 0,
                .rules = {"transfer/bonded", "transfer/vat-exempt"}}},
      {.name = "exempt goods to an approved importer stay exempt",
       .movement = Movement::kTransfer,
       .hs = "84798999",
       .declared_fen = 30'000'000,
       .date = kTransferDate,
       .declarant = &kApproved,
       .counterparty = &kApproved,
       .held = machine,
       .want = {.goods_status = kExempt,
                .status_after = kExempt,
                .customs_value_fen = 0,
                .rules = {"transfer/exempt"}}},
      // To a non-approved enterprise after 6 months: 360,000 × 30/36 = 300,000.00;
      // duty 15,000.00; VAT 315,000 × 13 % = 40,950.00; the goods become paid.
      {.name = "exempt goods to a non-approved enterprise pay back taxes",
       .movement = Movement::kTransfer,
       .hs = "84798999",
       .declared_fen = 30'000'000,
       .date = kTransferDate,
       .declarant = &kApproved,
       .counterparty = &kOrdinary,
       .held = machine,
       .want = {.goods_status = kExempt,
                .status_after = kPaid,
                .customs_value_fen = 30'000'000,
                .import_taxes = true,
                .duty_fen = 1'500'000,
                .vat_fen = 4'095'000,
                .rules = {"transfer/exempt-back-taxes", "depreciation/3y/6m"}}},
      {.name = "exempt goods to a non-approved enterprise after supervision",
       .movement = Movement::kTransfer,
       .hs = "84798999",
       .declared_fen = 30'000'000,
       .date = {2027, 3, 10},
       .declarant = &kApproved,
       .counterparty = &kOrdinary,
       .held = machine,
       .want = {.goods_status = kExempt,
                .status_after = kPaid,
                .customs_value_fen = 0,
                .rules = {"supervision/ended/3y"}}},
      {.name = "paid goods move freely",
       .movement = Movement::kTransfer,
       .hs = "22042100",
       .declared_fen = 1'000'000,
       .date = kTransferDate,
       .counterparty = &kOrdinary,
       .held = held(kPaid, "22042100", 1'000'000),
       .want = {.goods_status = kPaid,
                .status_after = kPaid,
                .customs_value_fen = 0,
                .rules = {"transfer/paid"}}},
      {.name = "zone-made goods move freely",
       .movement = Movement::kTransfer,
       .hs = "85176200",
       .declared_fen = 1'000'000,
       .date = kTransferDate,
       .counterparty = &kOrdinary,
       .held = produced("85176200", 1'000'000, 500'000, 0),
       .want = {.goods_status = GoodsStatus::kProduced,
                .status_after = GoodsStatus::kProduced,
                .customs_value_fen = 0,
                .rules = {"transfer/produced"}}},
      {.name = "transfer VAT taxable by the pack",
       .policy = &vat_taxable,
       .movement = Movement::kTransfer,
       .hs = "22042100",
       .declared_fen = 1'000'000,
       .date = kTransferDate,
       .counterparty = &kOrdinary,
       .held = held(kBonded, "22042100", 1'000'000),
       .want = {.goods_status = kBonded,
                .status_after = kBonded,
                .customs_value_fen = 0,
                .transfer_vat = true,
                .rules = {"transfer/bonded", "transfer/vat-taxable"}}},
  };
  for (const TreatCase& c : cases) run_case(c, policy);
}

// ---- Sale to an individual in the zone: import taxes as at the second line.

TEST(TreatSaleToIndividual, ImportTaxesAsAtTheSecondLine) {
  const PolicyVersion policy = hengqin();
  PolicyVersion no_rule_for_sales = hengqin();
  no_rule_for_sales.value_added_applies_to_sales_to_individuals = false;
  constexpr Date kSaleDate{2024, 9, 10};
  const TreatCase cases[] = {
      // Case 10: bonded wine, 1,400.00 / 1,266.67 / 1,646.67.
      {.name = "case 10 bonded wine",
       .movement = Movement::kSaleToIndividual,
       .hs = "22042100",
       .declared_fen = 1'000'000,
       .date = kSaleDate,
       .held = held(GoodsStatus::kBonded, "22042100", 1'000'000),
       .want = {.goods_status = GoodsStatus::kBonded,
                .status_after = GoodsStatus::kBonded,
                .customs_value_fen = 1'000'000,
                .import_taxes = true,
                .duty_fen = 140'000,
                .ct_fen = 126'667,
                .vat_fen = 164'667,
                .rules = {"sale-to-individual/import-bonded"}}},
      // A small sale: duty 300 × 10 % = 30.00 waived; VAT 300 × 13 % = 39.00 waived.
      {.name = "small sale, every tax waived",
       .movement = Movement::kSaleToIndividual,
       .hs = "85176200",
       .declared_fen = 30'000,
       .date = kSaleDate,
       .held = held(GoodsStatus::kBonded, "85176200", 30'000),
       .want = {.goods_status = GoodsStatus::kBonded,
                .status_after = GoodsStatus::kBonded,
                .customs_value_fen = 30'000,
                .import_taxes = true}},
      // Zone-made, (10,000 − 5,000) / 5,000 = 100 %: duty 0; VAT 10,000 × 13 % = 1,300.00.
      {.name = "zone-made goods qualifying",
       .movement = Movement::kSaleToIndividual,
       .hs = "85176200",
       .declared_fen = 1'000'000,
       .date = kSaleDate,
       .held = produced("85176200", 1'000'000, 500'000, 0),
       .want = {.goods_status = GoodsStatus::kProduced,
                .status_after = GoodsStatus::kProduced,
                .customs_value_fen = 1'000'000,
                .import_taxes = true,
                .duty_exempt = true,
                .vat_fen = 130'000,
                .rules = {"sale-to-individual/import-produced", "value-added/qualifies"}}},
      // Pack without the rule for sales: duty 1,000.00; VAT 11,000 × 13 % = 1,430.00.
      {.name = "zone-made goods, rule off for sales",
       .policy = &no_rule_for_sales,
       .movement = Movement::kSaleToIndividual,
       .hs = "85176200",
       .declared_fen = 1'000'000,
       .date = kSaleDate,
       .held = produced("85176200", 1'000'000, 500'000, 0),
       .want = {.goods_status = GoodsStatus::kProduced,
                .status_after = GoodsStatus::kProduced,
                .customs_value_fen = 1'000'000,
                .import_taxes = true,
                .duty_fen = 100'000,
                .vat_fen = 143'000,
                .rules = {"sale-to-individual/import-produced"}}},
      // Exempt machine after 6 months: 300,000.00; duty 15,000.00; VAT 40,950.00.
      {.name = "exempt machine sold after 6 months",
       .movement = Movement::kSaleToIndividual,
       .hs = "84798999",
       .declared_fen = 30'000'000,
       .date = kSaleDate,
       .held = exempt("84798999", {{Money{36'000'000}, Date{2024, 3, 10}}}),
       .want = {.goods_status = GoodsStatus::kExempt,
                .status_after = GoodsStatus::kExempt,
                .customs_value_fen = 30'000'000,
                .import_taxes = true,
                .duty_fen = 1'500'000,
                .vat_fen = 4'095'000,
                .rules = {"sale-to-individual/exempt-back-taxes"}}},
      {.name = "paid goods",
       .movement = Movement::kSaleToIndividual,
       .hs = "22042100",
       .declared_fen = 1'000'000,
       .date = kSaleDate,
       .held = held(GoodsStatus::kPaid, "22042100", 1'000'000),
       .want = {.goods_status = GoodsStatus::kPaid,
                .status_after = GoodsStatus::kPaid,
                .customs_value_fen = 0,
                .rules = {"sale-to-individual/already-taxed"}}},
  };
  for (const TreatCase& c : cases) run_case(c, policy);
}

TEST(TreatValueAddedEligible, LegalPersonInTheZoneAndTheEncouragedSwitch) {
  PolicyVersion hengqin_policy;
  PolicyVersion hainan_policy;
  hainan_policy.value_added_requires_encouraged_industry = true;
  struct Case {
    std::string_view name;
    const PolicyVersion* policy;
    const EnterpriseFacts* enterprise;
    bool want;
  };
  const Case cases[] = {
      {"legal person in the zone", &hengqin_policy, &kOrdinary, true},
      {"not a legal person", &hengqin_policy, &kNotLegalPerson, false},
      {"not registered in the zone", &hengqin_policy, &kNotInZone, false},
      {"switch on, not encouraged", &hainan_policy, &kOrdinary, false},
      {"switch on, encouraged", &hainan_policy, &kEncouraged, true},
      {"switch off, encouraged", &hengqin_policy, &kEncouraged, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(value_added_eligible(*c.enterprise, *c.policy), c.want);
  }
}

TEST(TreatMovement, NamesLinesAndBooks) {
  struct Case {
    Movement movement;
    std::string_view name;
    int line;
    bool takes_from_book;
  };
  constexpr Case kCases[] = {
      {Movement::kFirstLineEntry, "first_line_entry", 1, false},
      {Movement::kFirstLineExit, "first_line_exit", 1, true},
      {Movement::kSecondLineExit, "second_line_exit", 2, true},
      {Movement::kSecondLineEntry, "second_line_entry", 2, false},
      {Movement::kTransfer, "transfer", 0, true},
      {Movement::kSaleToIndividual, "sale_to_individual", 0, true},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(movement_name(c.movement), c.name);
    EXPECT_EQ(parse_movement(c.name), c.movement);
    EXPECT_EQ(movement_line(c.movement), c.line);
    EXPECT_EQ(movement_takes_from_book(c.movement), c.takes_from_book);
  }
  EXPECT_EQ(parse_movement("processing"), std::nullopt);
}

}  // namespace
}  // namespace zg
