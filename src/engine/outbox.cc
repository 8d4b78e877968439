// The zone's outbox (docs/exchange.md). Some accepted commands make a
// message for partners: a first-line declaration its summary, a first-line
// gate decision the joint inspection's result, a new tree head its copy for
// witnesses. Each partner whose sharing
// profile (in the pack version in force) names that kind gets the fields
// its profile allows and no others; the command's result says what was
// queued and what was dropped, so the drop is in the journal. The server's
// courier seals and delivers the messages; acknowledge_delivery, which it
// sends when a partner has acknowledged one, takes it off the outbox.

#include "assess/treatment.h"
#include "engine/handlers.h"
#include "exchange/profile.h"

namespace zg {
namespace {

constexpr size_t kSharedBytesMax = 512u << 10;  // a message's body, at most

// The kind of message a command shares, or "" for none.
std::string_view shared_kind(const CommandContext& ctx, std::string_view type,
                             const PolicyVersion& policy) {
  if (type == "declare") {
    const std::optional<Movement> movement = parse_movement(ctx.command.get("movement").text());
    return movement && movement_line(*movement) == 1 ? "declaration_summary" : "";
  }
  if (type == "gate_arrival" || type == "vehicle_crossing") {
    // The first line is inspected jointly with Macao: one stop, one result.
    const Channel* channel = policy.find_channel(ctx.command.get("channel").text());
    return channel != nullptr && channel->line == 1 ? "joint_inspection" : "";
  }
  if (type == "share_tree_head") return "tree_head";  // for witnesses
  return "";
}

}  // namespace

void share_with_partners(CommandContext& ctx, std::string_view type, std::string& body) {
  if (ctx.state.partners.empty()) return;  // the usual case: nothing to look at
  Status unused;
  const PolicyVersion* policy = policy_in_force(ctx, unused);
  if (policy == nullptr || policy->sharing_profiles.empty()) return;
  const std::string_view kind = shared_kind(ctx, type, *policy);
  if (kind.empty()) return;
  std::vector<const SharingProfile*> profiles;
  for (const SharingProfile& p : policy->sharing_profiles) {
    if (p.kind == kind && ctx.state.partners.contains(p.partner)) profiles.push_back(&p);
  }
  if (profiles.empty()) return;

  JsonDocument result;                                  // the handler's fields, as an object
  if (!result.parse("{" + body + "}").is_ok()) return;  // written by JsonWriter: cannot fail
  const std::string id = sequence_id(ctx.pack.declaration_prefix, 'M', ctx.seq);
  std::string shared;
  JsonWriter w(shared);
  w.begin_array();
  for (const SharingProfile* profile : profiles) {
    exchange::SharedBody message =
        exchange::share_fields(ctx.command, result.root(), profile->fields);
    w.begin_object().field("partner", profile->partner).field("message", id).field("kind", kind);
    w.key("dropped").begin_array();
    for (const std::string& path : message.dropped) w.string(path);
    w.end_array();
    if (message.body.size() > kSharedBytesMax) {
      // Sealed, it could outgrow a partner's inbox, and wait for ever.
      w.field("refused", "the message would be " + std::to_string(message.body.size()) +
                             " bytes; at most " + std::to_string(kSharedBytesMax) + " are shared");
      w.end_object();
      continue;
    }
    w.end_object();
    ZoneState::OutgoingMessage m{profile->partner,        id,
                                 std::string(kind),       std::string(ctx.at_text),
                                 std::move(message.body), ctx.seq};
    ctx.state.outbox.emplace(std::pair{profile->partner, id}, std::move(m));
  }
  w.end_array();
  if (!body.empty()) body.push_back(',');
  body.append("\"shared\":").append(shared);
}

Status handle_acknowledge_delivery(CommandContext& ctx, JsonWriter& out) {
  Status errors;
  Fields f(ctx.command, "", errors);
  const std::string_view partner = f.string("partner");
  const std::string_view message = f.string("message");
  if (!errors.is_ok()) return errors;
  if (!ctx.state.partners.contains(partner)) {
    return Status(ErrorCode::kInvalidField, "partner",
                  "no partner " + std::string(partner.substr(0, 64)) + " is registered");
  }
  const auto it = ctx.state.outbox.find(std::pair{std::string(partner), std::string(message)});
  if (it == ctx.state.outbox.end()) {
    return Status(ErrorCode::kInvalidState, "message",
                  "message " + std::string(message.substr(0, 64)) + " for " + std::string(partner) +
                      " is not waiting (delivered already, or never made)");
  }
  out.field("partner", partner).field("message", message).field("kind", it->second.kind);
  out.field("made_by", static_cast<int64_t>(it->second.seq));
  ctx.state.outbox.erase(it);
  ++ctx.state.messages_delivered;
  return Status::ok();
}

}  // namespace zg
