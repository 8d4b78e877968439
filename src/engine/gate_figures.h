// The figures the zone wants from its gates: crossings per channel and
// hour, the share of travellers cleared without referral, and time release
// (WCO Time Release Study style: median, p90 and mean from arrival to
// release, by line, lane and channel). Read-only over the zone's state.
#pragma once

#include <string>

#include "core/time.h"
#include "engine/state.h"

namespace zg {

struct FigureRange {
  Date from{0, 1, 1};
  Date to{9999, 12, 31};  // inclusive, local dates
};

// The figures as one JSON object (docs/gates.md describes every field).
std::string gate_figures_json(const ZoneState& state, int utc_offset_minutes,
                              const FigureRange& range);

}  // namespace zg
