#include "api/exchange_views.h"

#include "core/hex.h"
#include "core/json.h"
#include "core/sha256.h"
#include "engine/handlers.h"

namespace zg::api {

Result<std::string> inbox_command(std::string_view body, std::string_view zone) {
  if (body.size() > kEnvelopeBytesMax) {
    return Result<std::string>(
        ErrorCode::kInvalidField, "",
        "an envelope is at most " + std::to_string(kEnvelopeBytesMax) + " bytes");
  }
  JsonDocument envelope;
  if (!envelope.parse(body).is_ok() || !envelope.root().is_object()) {
    return Result<std::string>(ErrorCode::kInvalidField, "",
                               "the body must be one envelope: a JSON object");
  }
  std::string canonical;
  append_canonical_json(canonical, envelope.root());
  const JsonRef at = envelope.root().get("at");
  if (!at.is_string() || at.text().empty() || at.text().size() > 64) {
    return Result<std::string>(ErrorCode::kInvalidField, "at",
                               "the envelope's at must be an RFC 3339 time");
  }
  // Cheap to check here, on the I/O thread; the engine checks the rest.
  if (const JsonRef to = envelope.root().get("to"); !to.is_string() || to.text() != zone) {
    return Result<std::string>(ErrorCode::kInvalidField, "to",
                               "the envelope is not addressed to " + std::string(zone));
  }
  std::string command;
  JsonWriter w(command);
  w.begin_object().field("type", "receive_envelope");
  w.field("id", "inbox-" + to_hex(sha256(canonical)).substr(0, 32)).field("at", at.text());
  w.key("envelope").raw(canonical).end_object();
  return command;
}

InboxAnswer inbox_refusal(std::string_view code, std::string_view detail) {
  InboxAnswer answer;
  answer.status = code == "invalid_state" ? 409
                  : code == "unavailable" ? 503
                  : code == "internal"    ? 500
                                          : 400;
  answer.code = std::string(code);
  answer.detail = std::string(detail);
  JsonWriter w(answer.json);
  w.begin_object().field_bool("acknowledged", false).field("code", code).field("detail", detail);
  w.end_object();
  return answer;
}

InboxAnswer inbox_answer(std::string_view result) {
  JsonDocument doc;
  if (!doc.parse(result).is_ok() || !doc.root().is_object()) {
    return inbox_refusal("internal", "the zone's answer could not be read");
  }
  const JsonRef r = doc.root();
  if (r.get("status").text() != "accepted") {
    // Refused: the first error says what and where.
    const JsonRef errors = r.get("errors");
    if (!errors.is_array() || errors.size() == 0) {
      return inbox_refusal("rejected", "the envelope was refused");
    }
    const JsonRef first = *errors.begin();
    const std::string_view field = first.get("field").text();
    return inbox_refusal(first.get("code").text(),
                         (field.empty() ? "" : std::string(field) + ": ") +
                             std::string(first.get("message").text()));
  }
  InboxAnswer answer;
  answer.ok = true;
  JsonWriter w(answer.json);
  w.begin_object().field_bool("acknowledged", true);
  w.field("from", r.get("from").text()).field("message", r.get("message").text());
  w.field_bool("duplicate", r.get("duplicate").is_bool() && r.get("duplicate").as_bool());
  w.field("receipt", r.get("receipt").text());
  w.key("seq").raw(r.get("seq").exists() ? std::string(r.get("seq").text()) : "null");
  w.end_object();
  return answer;
}

HttpResponse partners_view(const Engine& engine) {
  const ZoneState& state = engine.state();
  std::map<std::string_view, const ZoneState::Partner*> sorted;
  for (const auto& [id, p] : state.partners) sorted.emplace(id, &p);
  std::map<std::string_view, size_t> waiting;
  for (const auto& [key, m] : state.outbox) ++waiting[m.partner];
  std::string body;
  JsonWriter w(body);
  w.begin_object().key("items").begin_array();
  for (const auto& [id, p] : sorted) {
    w.begin_object().field("partner", p->id).field("name", p->name);
    w.field_or_null("inbox", p->inbox);
    const ZoneState::PartnerKey& key = p->keys.back();
    w.field("key_version", static_cast<int64_t>(p->keys.size()));
    w.field("sign_key", hex_encode(key.sign.data(), key.sign.size()));
    w.field("box_key", hex_encode(key.box.data(), key.box.size()));
    w.field("keys_from_seq", static_cast<int64_t>(key.from_seq));
    w.field("received", static_cast<int64_t>(p->received.size()));
    w.field("waiting", static_cast<int64_t>(waiting[id]));
    w.end_object();
  }
  w.end_array().field("zone", zone_party_name(engine.pack())).end_object();
  HttpResponse response;
  response.body = std::move(body);
  return response;
}

HttpResponse outbox_view(const Engine& engine, const std::map<std::string, LinkStatus>& links,
                         size_t limit) {
  const ZoneState& state = engine.state();
  std::string body;
  JsonWriter w(body);
  w.begin_object().field("waiting", static_cast<int64_t>(state.outbox.size()));
  w.field("delivered", static_cast<int64_t>(state.messages_delivered));
  w.key("partners").begin_array();
  auto it = state.outbox.begin();
  while (it != state.outbox.end()) {
    const std::string& partner = it->second.partner;
    w.begin_object().field("partner", partner);
    if (auto link = links.find(partner); link != links.end()) {
      w.field("failures", static_cast<int64_t>(link->second.failures));
      w.field_or_null("last_error", link->second.last_error);
      w.key("next_attempt");
      if (link->second.next_attempt_ms > 0) {
        w.string(format_rfc3339(Timestamp{link->second.next_attempt_ms / 1000, 0}));
      } else {
        w.null();
      }
    }
    w.key("messages").begin_array();
    size_t shown = 0;
    for (; it != state.outbox.end() && it->second.partner == partner; ++it) {
      if (shown++ >= limit) continue;
      const ZoneState::OutgoingMessage& m = it->second;
      w.begin_object().field("message", m.id).field("kind", m.kind).field("at", m.at);
      w.field("seq", static_cast<int64_t>(m.seq)).key("body").raw(m.body).end_object();
    }
    w.end_array().end_object();
  }
  w.end_array().end_object();
  HttpResponse response;
  response.body = std::move(body);
  return response;
}

}  // namespace zg::api
