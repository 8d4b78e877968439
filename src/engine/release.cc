// release: an officer releases a held declaration (documents checked, or an
// examination done). The release time is kept for the time-release figures.

#include "engine/handlers.h"

namespace zg {

Status handle_release(CommandContext& ctx, JsonWriter& out) {
  Status errors;
  Fields f(ctx.command, "", errors);
  const std::string_view number = f.string("declaration");
  const std::string_view note = f.string("note", false);
  if (note.size() > 1000) f.fail(ErrorCode::kInvalidField, "note", "note is over 1000 bytes");
  if (!errors.is_ok()) return errors;
  DeclarationRecord* record = ctx.state.find_declaration(number);
  if (record == nullptr) {
    return Status(ErrorCode::kUnknownDeclaration, "declaration",
                  "no declaration " + std::string(number.substr(0, 64)) + " in this zone");
  }
  if (!record->held) {
    return Status(ErrorCode::kInvalidState, "declaration",
                  std::string(number) + " is not held: it was released " +
                      (record->released_at == record->lodged_at && record->lane != Lane::kYellow &&
                               record->lane != Lane::kRed
                           ? "on acceptance (" + std::string(lane_name(record->lane)) + " lane)"
                           : "by an officer"));
  }
  if (ctx.at.unix_seconds < record->lodged_at) {
    return Status(ErrorCode::kInvalidField, "at",
                  "the release is dated before " + std::string(number) + " was lodged");
  }
  record->held = false;
  record->has_command = false;  // kept only for an inspection of a held declaration
  record->released_at = ctx.at.unix_seconds;
  out.field("declaration", number);
  out.field("release", "released");
  out.field("lane", lane_name(record->lane));
  return Status::ok();
}

}  // namespace zg
