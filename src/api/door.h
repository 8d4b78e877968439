// The command door: what the HTTP server checks of each command before the
// zone's engine sees it, on the I/O thread that read it. Roles decide which
// command types a token may send; an enterprise token acts only as its own
// USCC; every command is stamped with the time it was received.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/tokens.h"
#include "engine/engine.h"
#include "policy/policy.h"

namespace zg::api {

// A command as the door passes it on to the zone.
struct DoorCommand {
  PreparedCommand prepared;   // parsed, stamped with received_at, digested
  std::string verdict;        // a rejection decided at the door, or "" to apply
  bool check_window = false;  // whether `at` must lie in the role's window
  int64_t at = 0;             // the command's "at" (unix seconds), when checked
};

// Who may send a command type, and which field names the enterprise acting.
struct CommandRule {
  std::string_view type;
  uint8_t roles;                 // a bit per Role (role_bit)
  std::string_view actor_field;  // "" when the command names no enterprise acting
};
constexpr uint8_t role_bit(Role role) {
  return static_cast<uint8_t>(1u << static_cast<unsigned>(role));
}
// The rule for a type; nullptr for a type the engine does not know (it
// answers unknown_type).
const CommandRule* command_rule(std::string_view type);

// The server's own senders (their token ids cannot be a token's: those are
// 12 hex characters): the exchange's courier and the partners' inbox.
inline constexpr std::string_view kCourierPrincipal = "courier";
inline constexpr std::string_view kInboxPrincipal = "inbox";

// Prepares one command text for `principal`: parses it, applies the role's
// and tenant's rules (a breach is a `forbidden` verdict), stamps
// `received_at` (RFC 3339, UTC) and notes the window check.
void admit_command(std::string_view text, int64_t line_number, const Principal& principal,
                   std::string_view received_at_text, const std::optional<AtWindow>& window,
                   DoorCommand& out);

// Whether `at` lies within `window` of `received_at` (unix seconds).
bool within_window(int64_t at, int64_t received_at, const AtWindow& window);

// The at_out_of_window rejection's message.
std::string window_message(int64_t at, int64_t received_at, const AtWindow& window,
                           std::string_view role);

}  // namespace zg::api
