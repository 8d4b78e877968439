#include "assess/treatment.h"

#include <algorithm>
#include <cstdlib>

#include "assess/taxes.h"

namespace zg {

std::string_view movement_name(Movement movement) {
  switch (movement) {
    case Movement::kFirstLineEntry: return "first_line_entry";
    case Movement::kFirstLineExit: return "first_line_exit";
    case Movement::kSecondLineExit: return "second_line_exit";
    case Movement::kSecondLineEntry: return "second_line_entry";
    case Movement::kTransfer: return "transfer";
    case Movement::kSaleToIndividual: return "sale_to_individual";
  }
  std::abort();
}

std::optional<Movement> parse_movement(std::string_view name) {
  for (Movement m :
       {Movement::kFirstLineEntry, Movement::kFirstLineExit, Movement::kSecondLineExit,
        Movement::kSecondLineEntry, Movement::kTransfer, Movement::kSaleToIndividual}) {
    if (movement_name(m) == name) return m;
  }
  return std::nullopt;
}

int movement_line(Movement movement) {
  switch (movement) {
    case Movement::kFirstLineEntry:
    case Movement::kFirstLineExit: return 1;
    case Movement::kSecondLineExit:
    case Movement::kSecondLineEntry: return 2;
    case Movement::kTransfer:
    case Movement::kSaleToIndividual: return 0;
  }
  std::abort();
}

std::string_view movement_direction(Movement movement) {
  switch (movement) {
    case Movement::kFirstLineEntry:
    case Movement::kSecondLineEntry: return "in";
    case Movement::kFirstLineExit:
    case Movement::kSecondLineExit: return "out";
    case Movement::kTransfer:
    case Movement::kSaleToIndividual: return "";
  }
  std::abort();
}

bool movement_takes_from_book(Movement movement) {
  return movement != Movement::kFirstLineEntry && movement != Movement::kSecondLineEntry;
}

std::string_view purpose_name(Purpose purpose) {
  switch (purpose) {
    case Purpose::kOwnUse: return "own_use";
    case Purpose::kProcessing: return "processing";
    case Purpose::kTrade: return "trade";
    case Purpose::kLogistics: return "logistics";
  }
  std::abort();
}

std::optional<Purpose> parse_purpose(std::string_view name) {
  for (Purpose p : {Purpose::kOwnUse, Purpose::kProcessing, Purpose::kTrade, Purpose::kLogistics}) {
    if (purpose_name(p) == name) return p;
  }
  return std::nullopt;
}

bool value_added_eligible(const EnterpriseFacts& enterprise, const PolicyVersion& policy) {
  return enterprise.legal_person && enterprise.registered_in_zone &&
         (!policy.value_added_requires_encouraged_industry || enterprise.encouraged_industry);
}

namespace {

std::string list_rule(const HsList& list, const HsList::Entry& entry) {
  return "list/" + list.name() + "/" + entry.prefix + (entry.include ? "" : "-excluded");
}

// Adds the rule id of the list entry that decided `hs`, if any.
void note_list(const HsList& list, std::string_view hs, std::vector<std::string>& rules) {
  if (const HsList::Entry* entry = list.match(hs)) rules.push_back(list_rule(list, *entry));
}

Status check_lists(const ItemFacts& facts, const PolicyVersion& policy) {
  const std::string& hs = facts.tariff->hs;
  const int line = movement_line(facts.movement);
  if (line != 0 && policy.prohibited.contains(hs)) {
    return Status(ErrorCode::kProhibitedGoods, "hs",
                  "HS " + hs + " is prohibited (" + policy.prohibited.match(hs)->note + ")");
  }
  if (line == 1 && policy.licence_required.contains(hs)) {
    if (!facts.has_licence) {
      return Status(ErrorCode::kLicenceRequired, "licence",
                    "HS " + hs + " needs a licence (" + policy.licence_required.match(hs)->note +
                        "); give its number in the item's licence field");
    }
  }
  return Status::ok();
}

// Exempt goods leaving supervision early pay back taxes on a depreciated
// value, portion by portion (each has its own entry date).
void back_taxes_on_exempt(const ItemFacts& facts, const PolicyVersion& policy,
                          std::string_view rule, ItemTreatment& out) {
  if (policy.exempt_exit_basis == ExemptExitBasis::kDeclaredValue) {
    // Zero-tariff goods (Hainan) pay every import tax on the goods as declared.
    out.customs_value = facts.declared_value;
    out.import_taxes = true;
    out.rules.push_back(std::string(rule));
    out.rules.push_back("exempt-exit/declared-value");
    return;
  }
  const int years = policy.supervision_years(facts.held->hs);
  Money depreciated;
  int months_min = INT32_MAX;
  for (const ExemptEntry& entry : facts.held->exempt_entries) {
    const int months = months_elapsed_rounded(entry.entered, facts.date);
    months_min = std::min(months_min, months);
    depreciated += depreciated_value(entry.value, months, years);
  }
  out.customs_value = depreciated;
  if (depreciated.fen == 0) {
    out.rules.push_back("supervision/ended/" + std::to_string(years) + "y");
    return;
  }
  out.import_taxes = true;
  out.rules.push_back(std::string(rule));
  out.rules.push_back("depreciation/" + std::to_string(years) + "y/" + std::to_string(months_min) +
                      "m");
}

// Goods leaving the zone for the mainland, or sold to an individual in it:
// an import of whatever is still untaxed (DOMAIN.md §3).
void import_from_zone(const ItemFacts& facts, const PolicyVersion& policy, bool value_added_rule,
                      ItemTreatment& out) {
  const HeldGoods& held = *facts.held;
  const std::string prefix =
      facts.movement == Movement::kSaleToIndividual ? "sale-to-individual/" : "second-line/";
  out.goods_status = held.status;
  out.status_after = held.status;
  switch (held.status) {
    case GoodsStatus::kBonded:
      out.import_taxes = true;
      out.rules.push_back(prefix + "import-bonded");
      return;
    case GoodsStatus::kExempt:
      back_taxes_on_exempt(facts, policy, prefix + "exempt-back-taxes", out);
      return;
    case GoodsStatus::kPaid:
      out.customs_value = Money{0};
      out.rules.push_back(prefix + "already-taxed");
      return;
    case GoodsStatus::kDomestic:
      out.customs_value = Money{0};
      out.rules.push_back(prefix + "domestic-goods");
      return;
    case GoodsStatus::kProduced: break;
  }
  // Zone-made goods: VAT and CT are due on the goods as declared; duty
  // depends on the 30 % rule.
  out.import_taxes = true;
  out.rules.push_back(prefix + "import-produced");
  out.value_added_enterprise_eligible = value_added_eligible(*facts.declarant, policy);
  out.value_added =
      value_added(out.customs_value, held.foreign_content, held.domestic_content, policy);
  if (!value_added_rule) return;
  if (!out.value_added_enterprise_eligible) {
    out.rules.push_back("value-added/enterprise-not-eligible");
    return;
  }
  if (held.foreign_content.fen == 0 && policy.no_foreign_input_duty_free) {
    out.duty_exempt = true;
    out.rules.push_back("value-added/no-imported-materials");
    return;
  }
  out.duty_exempt = out.value_added->qualifies;
  out.rules.push_back(out.duty_exempt ? "value-added/qualifies" : "value-added/below-threshold");
}

Status first_line_entry(const ItemFacts& facts, const PolicyVersion& policy, ItemTreatment& out) {
  const std::string& hs = facts.tariff->hs;
  const bool approved =
      facts.declarant->duty_free_importer || !policy.exempt_requires_approved_importer;
  const bool purpose_ok = std::find(policy.exempt_purposes.begin(), policy.exempt_purposes.end(),
                                    facts.purpose_text) != policy.exempt_purposes.end();
  switch (policy.first_line_model) {
    case FirstLineModel::kPositiveList:
      if (policy.first_line_exempt.contains(hs) && approved && purpose_ok) {
        out.goods_status = GoodsStatus::kExempt;
        out.rules.push_back("first-line/exempt");
        note_list(policy.first_line_exempt, hs, out.rules);
      } else {
        out.goods_status = GoodsStatus::kBonded;
        out.rules.push_back("first-line/bonded");
        note_list(policy.first_line_exempt, hs, out.rules);
        // On the list, yet bonded: say which condition was missing.
        if (policy.first_line_exempt.contains(hs)) {
          if (!approved) out.rules.push_back("first-line/exempt-needs-approved-importer");
          if (!purpose_ok) out.rules.push_back("first-line/exempt-needs-purpose");
        }
      }
      break;
    case FirstLineModel::kNegativeList:
      if (!policy.first_line_taxable.contains(hs) && approved && purpose_ok) {
        out.goods_status = GoodsStatus::kExempt;
        out.rules.push_back("first-line/zero-tariff");
      } else {
        // Taxable goods (or an entity without the benefit) pay import taxes here.
        out.goods_status = GoodsStatus::kPaid;
        out.import_taxes = true;
        out.rules.push_back(policy.first_line_taxable.contains(hs) ? "first-line/taxable-list"
                                                                   : "first-line/not-eligible");
      }
      note_list(policy.first_line_taxable, hs, out.rules);
      break;
  }
  out.status_after = out.goods_status;
  return Status::ok();
}

void second_line_entry(const ItemFacts& facts, const PolicyVersion& policy, ItemTreatment& out) {
  const std::string& hs = facts.tariff->hs;
  out.goods_status = GoodsStatus::kDomestic;
  out.status_after = GoodsStatus::kDomestic;
  if (!policy.refund_on_second_line_entry) {
    out.rules.push_back("second-line-entry/no-refund");
  } else if (policy.refund_negative.contains(hs)) {
    out.rules.push_back("second-line-entry/refund-negative-list");
    note_list(policy.refund_negative, hs, out.rules);
  } else if (!facts.declarant->refund_eligible) {
    out.rules.push_back("second-line-entry/buyer-not-refund-eligible");
  } else {
    out.refund = true;
    out.rules.push_back("second-line-entry/refund");
  }
}

Status transfer(const ItemFacts& facts, const PolicyVersion& policy, ItemTreatment& out) {
  const HeldGoods& held = *facts.held;
  out.goods_status = held.status;
  out.status_after = held.status;
  out.customs_value = Money{0};
  if (held.status == GoodsStatus::kExempt && !facts.counterparty->duty_free_importer) {
    // Exempt goods may go only to another approved importer; to anyone
    // else the transferor owes the back taxes and the goods become paid.
    out.customs_value = facts.declared_value;
    back_taxes_on_exempt(facts, policy, "transfer/exempt-back-taxes", out);
    out.status_after = GoodsStatus::kPaid;
  } else {
    out.rules.push_back(std::string("transfer/") + std::string(goods_status_name(held.status)));
  }
  if (policy.transfer_vat == TransferVat::kTaxable && !out.import_taxes) {
    out.transfer_vat = true;
    out.rules.push_back("transfer/vat-taxable");
  } else if (policy.transfer_vat == TransferVat::kExempt) {
    out.rules.push_back("transfer/vat-exempt");
  }
  return Status::ok();
}

}  // namespace

Result<ItemTreatment> treat_item(const ItemFacts& facts, const PolicyVersion& policy) {
  ItemTreatment out;
  out.rules.reserve(6);  // treatment, list, tariff, rate, waivers: rarely more
  out.declared_value = facts.declared_value;
  out.customs_value = facts.declared_value;
  Status lists = check_lists(facts, policy);
  if (!lists.is_ok()) return lists;
  switch (facts.movement) {
    case Movement::kFirstLineEntry: {
      Status status = first_line_entry(facts, policy, out);
      if (!status.is_ok()) return status;
      break;
    }
    case Movement::kFirstLineExit:
      out.goods_status = facts.held->status;
      out.status_after = facts.held->status;
      out.rules.push_back("first-line/exit");
      break;
    case Movement::kSecondLineExit: import_from_zone(facts, policy, true, out); break;
    case Movement::kSecondLineEntry: second_line_entry(facts, policy, out); break;
    case Movement::kTransfer: {
      Status status = transfer(facts, policy, out);
      if (!status.is_ok()) return status;
      break;
    }
    case Movement::kSaleToIndividual:
      import_from_zone(facts, policy, policy.value_added_applies_to_sales_to_individuals, out);
      break;
  }
  // A licence that was required (and given) is part of the story.
  if (movement_line(facts.movement) == 1)
    note_list(policy.licence_required, facts.tariff->hs, out.rules);
  return out;
}

}  // namespace zg
