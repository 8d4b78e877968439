// The customs treatment of one declared item, per movement (ARCHITECTURE.md,
// "Lines and movements"): what status the goods have, which taxes apply and
// on what base, and the ids of the rules that decided it.
//
// Pure: reads only its arguments. The engine gathers the facts (the
// declarant, the tariff line, what the account book gives up) and computes
// the taxes afterwards, for the whole declaration at once (taxes.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "assess/value_added.h"
#include "core/decimal.h"
#include "core/goods_status.h"
#include "core/status.h"
#include "core/time.h"
#include "policy/policy.h"

namespace zg {

enum class Movement : uint8_t {
  kFirstLineEntry,
  kFirstLineExit,
  kSecondLineExit,
  kSecondLineEntry,
  kTransfer,
  kSaleToIndividual,
};
std::string_view movement_name(Movement movement);
std::optional<Movement> parse_movement(std::string_view name);
// The line a movement crosses: 1, 2, or 0 for movements inside the zone.
int movement_line(Movement movement);
// "in" (into the zone: entries), "out" (exits), "" for movements inside the zone.
std::string_view movement_direction(Movement movement);
// Whether the goods come out of the declarant's account book.
bool movement_takes_from_book(Movement movement);

enum class Purpose : uint8_t { kOwnUse, kProcessing, kTrade, kLogistics };
std::string_view purpose_name(Purpose purpose);
std::optional<Purpose> parse_purpose(std::string_view name);

// What the treatment needs to know about an enterprise.
struct EnterpriseFacts {
  bool legal_person = false;
  bool registered_in_zone = false;
  bool duty_free_importer = false;
  bool encouraged_industry = false;
  bool refund_eligible = true;
};

// One exempt portion leaving supervision: its first-line customs value and
// the local date it entered the zone.
struct ExemptEntry {
  Money value;
  Date entered;
};

// What the declarant's account book gives up for the item.
struct HeldGoods {
  GoodsStatus status = GoodsStatus::kBonded;
  std::string hs;          // the lots' HS code (supervision period by chapter)
  Money value;             // book value of the quantity taken
  Money foreign_content;   // M
  Money domestic_content;  // D
  std::vector<ExemptEntry> exempt_entries;
};

struct ItemFacts {
  Movement movement = Movement::kFirstLineEntry;
  Purpose purpose = Purpose::kTrade;
  std::string_view purpose_text;
  const TariffLine* tariff = nullptr;
  Money declared_value;  // the declared value, in CNY
  Quantity quantity;
  Date date;  // the declaration's local date
  bool has_licence = false;
  const EnterpriseFacts* declarant = nullptr;
  const EnterpriseFacts* counterparty = nullptr;  // transfers
  const HeldGoods* held = nullptr;                // movements that take from the book
};

struct ItemTreatment {
  GoodsStatus goods_status = GoodsStatus::kBonded;  // as the goods are (or were) in the zone
  GoodsStatus status_after = GoodsStatus::kBonded;  // in the receiving book (entries, transfers)
  Money declared_value;
  Money customs_value;        // the taxable base
  bool import_taxes = false;  // duty, CT and VAT are assessed
  bool duty_exempt = false;   // ... but no duty (the 30 % rule)
  bool refund = false;        // an export refund is assessed
  bool transfer_vat = false;  // VAT on an intra-zone transfer
  std::optional<ValueAdded> value_added;
  bool value_added_enterprise_eligible = false;
  std::vector<std::string> rules;
};

// Errors: prohibited_goods, licence_required, not_eligible (field "" or a
// field name relative to the item; the caller adds the path).
Result<ItemTreatment> treat_item(const ItemFacts& facts, const PolicyVersion& policy);

// Whether an enterprise may have its zone-made goods leave duty-free under
// the 30 % rule (independent legal person registered in the zone, and, where
// the pack asks, in an encouraged industry).
bool value_added_eligible(const EnterpriseFacts& enterprise, const PolicyVersion& policy);

}  // namespace zg
