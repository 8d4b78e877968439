// The figures the zone wants from its gates: crossings per channel and hour
// (or day, or hour of the day), the share of travellers cleared without
// referral, and time release (WCO Time Release Study style: median, p90 and
// mean from arrival to release, by line, lane and channel). Read-only over
// the zone's state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/time.h"
#include "engine/state.h"

namespace zg {

// How the crossings are counted: per channel and local hour (a year is some
// 30,000 rows), per channel and local day (a year is some 2,500), or per
// channel and hour of the day, 0-23, summed over the range (the day's rhythm).
enum class CrossingsBy : uint8_t { kHour, kDay, kHourOfDay };

// "hour", "day", "hour_of_day"; false (and `by` untouched) for other text.
bool parse_crossings_by(std::string_view text, CrossingsBy& by);
std::string_view crossings_by_name(CrossingsBy by);

struct FigureRange {
  Date from{0, 1, 1};
  Date to{9999, 12, 31};                // inclusive, local dates
  CrossingsBy by = CrossingsBy::kHour;  // how the crossings in the range are counted
};

// The figures as one JSON object (docs/gates.md describes every field).
std::string gate_figures_json(const ZoneState& state, int utc_offset_minutes,
                              const FigureRange& range);

}  // namespace zg
