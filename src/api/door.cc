#include "api/door.h"

#include <array>

#include "core/time.h"

namespace zg::api {
namespace {

constexpr uint8_t kEnterprise = role_bit(Role::kEnterprise);
constexpr uint8_t kOfficer = role_bit(Role::kOfficer);
constexpr uint8_t kGate = role_bit(Role::kGate);
constexpr uint8_t kAdmin = role_bit(Role::kAdmin);

// Who sends what. Enterprises (and their brokers) lodge their own
// declarations, processing and stock-takes; officers act for customs and
// the zone administration; admins set exchange rates; gate devices report
// crossings; auditors only read.
constexpr std::array kRules = {
    CommandRule{"register_enterprise", kOfficer | kAdmin, ""},
    CommandRule{"set_rate", kAdmin, ""},
    CommandRule{"declare", kEnterprise | kOfficer, "declarant"},
    CommandRule{"process", kEnterprise | kOfficer, "enterprise"},
    CommandRule{"stocktake", kEnterprise | kOfficer, "enterprise"},
    CommandRule{"inspection_result", kOfficer, ""},
    CommandRule{"release", kOfficer, ""},
    CommandRule{"gate_arrival", kGate | kOfficer, ""},
    CommandRule{"vehicle_crossing", kGate | kOfficer, ""},
    CommandRule{"traveller_crossing", kGate | kOfficer, ""},
    CommandRule{"issue_vehicle_permit", kOfficer, ""},
    CommandRule{"enrol_traveller", kOfficer, ""},
    CommandRule{"revoke_credential", kOfficer, ""},
    CommandRule{"watch_list", kOfficer, ""},
    // A witness's cosignature is authentic by its own signature, whoever
    // relays it; the zone's officers and admins post them.
    CommandRule{"cosign_tree_head", kOfficer | kAdmin, ""},
    CommandRule{"register_partner", kAdmin, ""},
    // Envelopes are authentic by their signatures: partners post them to
    // the inbox route (no token), officers and admins may relay them.
    CommandRule{"receive_envelope", kOfficer | kAdmin, ""},
    // The server's courier reports a partner's acknowledgement (as admin).
    CommandRule{"acknowledge_delivery", kAdmin, ""},
    CommandRule{"share_tree_head", kAdmin, ""},
};

std::string forbidden(std::string_view id, int64_t line, std::string_view field,
                      std::string message) {
  return Engine::rejected_result(Status(ErrorCode::kForbidden, std::string(field), message), id,
                                 line);
}

}  // namespace

const CommandRule* command_rule(std::string_view type) {
  for (const CommandRule& rule : kRules) {
    if (rule.type == type) return &rule;
  }
  return nullptr;
}

void admit_command(std::string_view text, int64_t line_number, const Principal& principal,
                   std::string_view received_at_text, const std::optional<AtWindow>& window,
                   DoorCommand& out) {
  out.verdict.clear();
  out.check_window = false;
  Engine::prepare(text, line_number, out.prepared);
  const PreparedCommand& p = out.prepared;
  if (p.bytes > kCommandBytesMax || !p.parse_status.is_ok() || !p.document.root().is_object()) {
    return;  // the engine answers these
  }
  const JsonRef command = p.document.root();
  const JsonRef id_value = command.get("id");
  const std::string_view id = id_value.is_string() ? id_value.text() : "";
  const JsonRef type_value = command.get("type");
  const std::string_view type = type_value.is_string() ? type_value.text() : "";
  const std::string_view role = role_name(principal.role);
  // The server's own commands (the courier's acknowledgements and shared
  // tree heads, the inbox's receipts) have ids of these forms; a token
  // taking one first would block them.
  if (principal.token_id != kCourierPrincipal && principal.token_id != kInboxPrincipal) {
    for (std::string_view reserved : {"delivered-", "tree-head-", "inbox-"}) {
      if (id.starts_with(reserved)) {
        out.verdict =
            forbidden(id, line_number, "id",
                      "ids beginning with \"" + std::string(reserved) + "\" are the server's own");
        return;
      }
    }
  }
  if (principal.role == Role::kAuditor) {
    out.verdict = forbidden(id, line_number, "", "an auditor's token only reads");
    return;
  }
  if (const CommandRule* rule = command_rule(type); rule != nullptr) {
    if ((rule->roles & role_bit(principal.role)) == 0) {
      out.verdict = forbidden(id, line_number, "type",
                              "a token of role " + std::string(role) + " cannot send " +
                                  std::string(type) + " commands");
      return;
    }
    if (principal.role == Role::kEnterprise && !rule->actor_field.empty()) {
      const JsonRef actor = command.get(rule->actor_field);
      if (actor.is_string() && actor.text() != principal.uscc) {
        out.verdict = forbidden(id, line_number, rule->actor_field,
                                std::string(rule->actor_field) + " " + std::string(actor.text()) +
                                    " is not this token's enterprise (" + principal.uscc +
                                    "): an enterprise declares only as itself");
        return;
      }
    }
  }
  Engine::stamp_received_at(out.prepared, received_at_text);
  if (window) {
    const JsonRef at_value = command.get("at");
    if (at_value.is_string()) {
      Result<Timestamp> at = parse_rfc3339(at_value.text());
      if (at.is_ok()) {
        out.check_window = true;
        out.at = at->unix_seconds;
      }
    }
  }
}

bool within_window(int64_t at, int64_t received_at, const AtWindow& window) {
  return at >= received_at - window.past_seconds && at <= received_at + window.future_seconds;
}

std::string window_message(int64_t at, int64_t received_at, const AtWindow& window,
                           std::string_view role) {
  const bool early = at < received_at;
  const int64_t off = early ? received_at - at : at - received_at;
  return "at lies " + std::to_string(off) + " s " + (early ? "before" : "after") +
         " the server received the command (" + format_rfc3339(Timestamp{received_at, 0}) +
         "); the pack allows a token of role " + std::string(role) + " at most " +
         std::to_string(early ? window.past_seconds : window.future_seconds) + " s " +
         (early ? "before" : "after");
}

}  // namespace zg::api
