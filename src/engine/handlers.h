// The command handlers and what they share. Each handler validates
// everything first and changes the state only when the command will be
// accepted, so a rejected command changes nothing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/time.h"
#include "engine/credentials.h"
#include "engine/fields.h"
#include "engine/state.h"
#include "gate/credential.h"
#include "gate/decisions.h"
#include "policy/policy.h"

namespace zg {

struct CommandContext {
  ZoneState& state;
  const PolicyPack& pack;
  JsonRef command;
  std::string_view id;
  std::string_view at_text;
  Timestamp at;
  Date local_date;  // `at` on the zone's calendar
  uint64_t seq;     // the sequence number the command gets if accepted
  // The zone's credential key (nullptr: none) and the verified-credential cache.
  const gate::SigningKey* signing_key = nullptr;
  CredentialCache* credentials = nullptr;
  // When the zone received the command (RFC 3339): the HTTP door's stamp,
  // as journaled; for `zonegate run`, the command's own "received_at" if it
  // has one (a trusted feed), else "".
  std::string_view received_at;
};

// Each handler writes its result fields (after id, seq and status) into
// `out` when it accepts; on rejection it returns the errors and `out` is dropped.
Status handle_register_enterprise(CommandContext& ctx, JsonWriter& out);
Status handle_set_rate(CommandContext& ctx, JsonWriter& out);
Status handle_declare(CommandContext& ctx, JsonWriter& out);
Status handle_process(CommandContext& ctx, JsonWriter& out);
Status handle_stocktake(CommandContext& ctx, JsonWriter& out);
Status handle_release(CommandContext& ctx, JsonWriter& out);
Status handle_gate_arrival(CommandContext& ctx, JsonWriter& out);
Status handle_issue_vehicle_permit(CommandContext& ctx, JsonWriter& out);
Status handle_vehicle_crossing(CommandContext& ctx, JsonWriter& out);
Status handle_enrol_traveller(CommandContext& ctx, JsonWriter& out);
Status handle_traveller_crossing(CommandContext& ctx, JsonWriter& out);
Status handle_revoke_credential(CommandContext& ctx, JsonWriter& out);
Status handle_watch_list(CommandContext& ctx, JsonWriter& out);
Status handle_cosign_tree_head(CommandContext& ctx, JsonWriter& out);
Status handle_register_partner(CommandContext& ctx, JsonWriter& out);
Status handle_receive_envelope(CommandContext& ctx, JsonWriter& out);
Status handle_acknowledge_delivery(CommandContext& ctx, JsonWriter& out);
Status handle_share_tree_head(CommandContext& ctx, JsonWriter& out);
// After a command of `type` is accepted: queues the messages its sharing
// profiles make (outbox.cc) and appends "shared" to its result `body` (the
// handler's fields, without braces).
void share_with_partners(CommandContext& ctx, std::string_view type, std::string& body);
Status handle_inspection_result(CommandContext& ctx, JsonWriter& out);
// Re-assesses a declaration from its (corrected) command in `ctx`, as of
// its own time and sequence number: writes the result fields of its items
// and totals into `out`, and gives its totals and each item as re-read.
// Only for movements that draw nothing from a book.
struct ReassessedItem {
  Money declared_value;  // CNY
  Quantity quantity;
  std::string hs, origin, unit;
  GoodsStatus status_after = GoodsStatus::kBonded;  // in the receiving book
};
// `policy` is the id of the version it was re-assessed under.
Status reassess_declaration(const CommandContext& ctx, std::string_view number, JsonWriter& out,
                            TaxTotals& totals, std::vector<ReassessedItem>& items,
                            std::string& policy);
// The zone's own name in envelopes: its pack's zone id, upper-cased ("HENGQIN").
std::string zone_party_name(const PolicyPack& pack);

// --- Shared by the gate commands (gate_common.cc) ---

// The channel a gate command names, from the version in force; nullptr
// with an error (unknown_channel) otherwise.
const Channel* channel_field(const PolicyVersion& policy, Fields& fields);
// "direction": "in" or "out"; false with an error otherwise.
bool direction_field(Fields& fields, gate::Direction& direction);
// A list of non-empty strings of at most `max_length` bytes, at most `max_count` of them.
std::vector<std::string_view> string_list_field(Fields& fields, std::string_view key, bool required,
                                                uint32_t max_count, size_t max_length);
// Writes "decision" (`open_word` or `stopped_word`) and "reasons"; with
// `per_declaration` (cargo) every reason has "declaration", null for the
// truck's own (channel, weight, containers).
void write_decision(JsonWriter& out, const gate::Decision& decision, std::string_view open_word,
                    std::string_view stopped_word, bool per_declaration = false);
// Counts a decision in the crossings figures (channel, local hour).
void count_crossing(CommandContext& ctx, const Channel& channel, bool open);

// The policy version in force on the command's date, or an error on `at`.
const PolicyVersion* policy_in_force(const CommandContext& ctx, Status& errors);

// An enterprise named by a USCC field: checked, registered and (when
// `in_zone`) registered in the zone. nullptr with an error otherwise.
const Enterprise* enterprise_field(const CommandContext& ctx, Fields& fields, std::string_view key,
                                   bool in_zone);

// The customs exchange rate of a currency for a month: a set_rate if one
// was accepted, else the pack's; and the rule id naming its source:
// "fx/USD/2024-05" (the pack's) or "fx/USD/2024-05@set_rate/2" (by seq).
struct FxRate {
  Rate cny_per_unit;
  std::string rule;
};
std::optional<FxRate> exchange_rate(const CommandContext& ctx, const PolicyVersion& policy,
                                    std::string_view currency, Month month);
std::string rate_key(std::string_view currency, Month month);

// A declaration's number: the pack's prefix, the local date as yymmdd and
// the sequence number, at least five digits ("HQ24030500007").
std::string declaration_number(std::string_view prefix, Date date, uint64_t seq);

// An id made from the zone's prefix, a letter for its kind and a sequence
// number of at least eight digits: permits "HQV00000012", travellers "HQT…".
std::string sequence_id(std::string_view prefix, char kind, uint64_t seq);

// The tariff-line rule id: "tariff/22042100" (the line of the version in
// force, which the result names in "policy").
std::string tariff_rule(const TariffLine& line);

}  // namespace zg
