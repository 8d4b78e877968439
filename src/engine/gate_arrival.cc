// gate_arrival: a truck at a cargo channel with the declarations it carries.
// The decision (gate/decisions.h) is recorded either way; `open` closes the
// declarations, so none crosses twice.

#include <algorithm>

#include "core/decimal.h"
#include "engine/handlers.h"
#include "gate/container.h"

namespace zg {
namespace {

constexpr uint32_t kDeclarationsPerArrival = 200;
constexpr uint32_t kContainersPerArrival = 20;

gate::PresentedDeclaration presented(const DeclarationRecord* record, std::string_view number) {
  gate::PresentedDeclaration p;
  p.number = std::string(number);
  if (record == nullptr) return p;
  p.known = true;
  p.line = movement_line(record->movement);
  gate::parse_direction(movement_direction(record->movement), p.direction);  // line 0: none
  p.movement = movement_name(record->movement);
  p.released = !record->held;
  p.released_at = record->released_at;
  p.crossed = record->crossed_at != 0;
  if (record->channel != nullptr) p.declared_channel = *record->channel;
  p.gross_e4 = record->gross_e4;
  return p;
}

void record_gate_event(CommandContext& ctx, DeclarationRecord& record, std::string_view number,
                       const std::string* channel, gate::Direction direction,
                       const gate::Decision& decision) {
  DeclarationGateEvent event;
  event.at = ctx.at;
  event.seq = ctx.seq;
  event.command = std::string(ctx.id);
  event.channel = channel;
  event.direction = direction;
  event.open = decision.open();
  if (const std::string reasons = gate_event_reasons(decision, number); !reasons.empty()) {
    event.reasons = &*ctx.state.names.emplace(reasons).first;
  }
  record.gate_events.add(std::move(event));
}

}  // namespace

Status handle_gate_arrival(CommandContext& ctx, JsonWriter& out) {
  Status errors;
  Fields f(ctx.command, "", errors);
  const PolicyVersion* policy = policy_in_force(ctx, errors);
  gate::CargoArrival arrival;
  arrival.at = ctx.at.unix_seconds;
  std::vector<gate::Reason> container_reasons;
  if (policy != nullptr) arrival.channel = channel_field(*policy, f);
  direction_field(f, arrival.direction);
  const std::vector<std::string_view> numbers =
      string_list_field(f, "declarations", true, kDeclarationsPerArrival, 64);
  const JsonRef conveyance = ctx.command.get("conveyance");
  if (!conveyance.exists()) {
    f.fail(ErrorCode::kMissingField, "conveyance", "conveyance is required");
  } else if (!conveyance.is_object()) {
    f.fail(ErrorCode::kInvalidField, "conveyance", "conveyance must be an object");
  } else {
    Fields c(conveyance, "conveyance", errors);
    const std::string_view plate = c.string("plate");
    if (plate.size() > 32) c.fail(ErrorCode::kInvalidField, "plate", "plate is over 32 bytes");
    // A container number that fails its check digit is a reason to hold
    // the truck (misread or tampered plates), not a malformed command.
    for (std::string_view container :
         string_list_field(c, "containers", false, kContainersPerArrival, 64)) {
      Status valid = gate::validate_container(container);
      if (!valid.is_ok()) {
        container_reasons.push_back(gate::Reason{"invalid_container", "", valid.first().message});
      }
    }
    string_list_field(c, "seals", false, kContainersPerArrival * 4, 64);
    if (auto gross = c.fixed("gross_kg", kQuantityScale, kQuantityE4Max, true, true)) {
      arrival.weighed_gross_e4 = *gross;
    }
  }
  if (!errors.is_ok()) return errors;

  std::vector<DeclarationRecord*> records;  // looked up once: a truck carries tens
  records.reserve(numbers.size());
  for (std::string_view number : numbers) {
    records.push_back(ctx.state.find_declaration(number));
    arrival.declarations.push_back(presented(records.back(), number));
  }
  gate::Decision decision = gate::decide_cargo(arrival, policy->gates);
  for (gate::Reason& reason : container_reasons) decision.reasons.push_back(std::move(reason));

  // Record: the first presentation is the goods' arrival (time release);
  // an open gate is their crossing; every presentation is an event in the
  // declaration's story (once, even when the truck lists it twice).
  const std::string* channel = &*ctx.state.names.emplace(arrival.channel->id).first;
  for (size_t index = 0; index < records.size(); ++index) {
    DeclarationRecord* record = records[index];
    if (record == nullptr) continue;
    if (std::find(records.begin(), records.begin() + static_cast<long>(index), record) !=
        records.begin() + static_cast<long>(index)) {
      continue;
    }
    if (record->arrived_at == 0) record->arrived_at = ctx.at.unix_seconds;
    if (decision.open()) {
      record->crossed_at = ctx.at.unix_seconds;
      record->crossed_channel = channel;
    }
    record_gate_event(ctx, *record, numbers[index], channel, arrival.direction, decision);
  }
  count_crossing(ctx, *arrival.channel, decision.open());
  out.field("channel", arrival.channel->id);
  out.field("direction", gate::direction_name(arrival.direction));
  write_decision(out, decision, "open", "hold", true);
  out.key("declarations").begin_array();
  for (std::string_view number : numbers) out.string(number);
  out.end_array();
  return Status::ok();
}

}  // namespace zg
