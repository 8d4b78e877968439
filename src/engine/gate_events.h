// A declaration's gate events: each time a truck presented it at a cargo
// channel (gate_arrival), what the gate decided. Kept on the declaration
// (DeclarationRecord::gate_events) so its story needs no journal; part of
// the zone's state, so replay rebuilds it, snapshots hold it and the state
// hash covers it.
//
// Bounded: a truck refused again and again must not grow a declaration
// without end (a zone holds millions), so only the latest kGateEventsKept
// are kept and the older ones are counted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "gate/decisions.h"

namespace zg {

inline constexpr size_t kGateEventsKept = 20;

// The code a declaration's event carries when its truck was held for a
// reason about another declaration on it: a declaration with nothing wrong
// of its own still did not cross, and its story should say why.
inline constexpr std::string_view kOtherDeclarationReason = "other_declaration";

struct DeclarationGateEvent {
  Timestamp at{0, 0};                    // the arrival's "at", with the offset it was written in
  uint64_t seq = 0;                      // the gate_arrival's sequence number
  std::string command;                   // the gate_arrival's command id
  const std::string* channel = nullptr;  // a node of ZoneState::names
  gate::Direction direction = gate::Direction::kIn;
  bool open = false;  // the gate opened; else the truck was held
  // The reasons' codes that concern this declaration or the whole truck,
  // then kOtherDeclarationReason if any concerned another declaration;
  // space-separated, each once, a node of ZoneState::names; nullptr: none.
  const std::string* reasons = nullptr;
};

struct GateEventLog {
  std::vector<DeclarationGateEvent> latest;  // oldest first, at most kGateEventsKept
  uint64_t earlier = 0;                      // events before `latest`, no longer kept

  // Appends `event`, dropping (and counting) the oldest beyond the bound.
  void add(DeclarationGateEvent event);
  uint64_t total() const { return earlier + latest.size(); }
};

// The reason codes of `decision` as a declaration's event keeps them (see
// DeclarationGateEvent::reasons): "" when there are none.
std::string gate_event_reasons(const gate::Decision& decision, std::string_view declaration);

}  // namespace zg
