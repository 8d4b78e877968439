// What the gate commands share: reading channels, directions and lists, and
// writing a decision with its reasons.

#include "engine/handlers.h"

namespace zg {

const Channel* channel_field(const PolicyVersion& policy, Fields& fields) {
  const std::string_view id = fields.string("channel");
  if (id.empty()) return nullptr;
  const Channel* channel = policy.find_channel(id);
  if (channel == nullptr) {
    fields.fail(ErrorCode::kUnknownChannel, "channel",
                "channel " + std::string(id.substr(0, 64)) +
                    " is not one of the zone's channels (" + policy.id + ")");
  }
  return channel;
}

bool direction_field(Fields& fields, gate::Direction& direction) {
  const std::string_view text = fields.string("direction");
  if (text.empty()) return false;
  if (!gate::parse_direction(text, direction)) {
    fields.fail(ErrorCode::kInvalidField, "direction",
                "direction must be \"in\" (into the zone) or \"out\", not \"" +
                    std::string(text.substr(0, 16)) + "\"");
    return false;
  }
  return true;
}

std::vector<std::string_view> string_list_field(Fields& fields, std::string_view key, bool required,
                                                uint32_t max_count, size_t max_length) {
  std::vector<std::string_view> out;
  const std::optional<JsonRef> list = fields.array(key, required, max_count);
  if (!list) return out;
  size_t index = 0;
  for (JsonRef element : *list) {
    const std::string element_key = std::string(key) + "[" + std::to_string(index++) + "]";
    if (!element.is_string() || element.text().empty() || element.text().size() > max_length) {
      fields.fail(ErrorCode::kInvalidField, element_key,
                  element_key + " must be a non-empty string of at most " +
                      std::to_string(max_length) + " bytes");
      continue;
    }
    out.push_back(element.text());
  }
  return out;
}

void write_decision(JsonWriter& out, const gate::Decision& decision, std::string_view open_word,
                    std::string_view stopped_word, bool per_declaration) {
  out.field("decision", decision.open() ? open_word : stopped_word);
  out.key("reasons").begin_array();
  for (const gate::Reason& reason : decision.reasons) {
    out.begin_object().field("code", reason.code);
    if (per_declaration) out.field_or_null("declaration", reason.declaration);
    out.field("message", reason.message).end_object();
  }
  out.end_array();
}

void count_crossing(CommandContext& ctx, const Channel& channel, bool open) {
  // The local hour the decision fell in, as the unix second it starts at.
  const int64_t offset = int64_t{ctx.pack.utc_offset_minutes} * 60;
  const int64_t local = ctx.at.unix_seconds + offset;
  const int64_t hour_start = local - (((local % 3600) + 3600) % 3600) - offset;
  ChannelHour& hour = ctx.state.gates.crossings[{channel.id, hour_start}];
  (open ? hour.open : hour.stopped) += 1;
}

}  // namespace zg
