#include "engine/gate_figures.h"

#include <algorithm>
#include <map>
#include <vector>

#include "core/json.h"

namespace zg {
namespace {

// Nearest-rank percentile of sorted durations (p in percent).
int64_t percentile(const std::vector<int64_t>& sorted, int p) {
  const size_t rank = (sorted.size() * static_cast<size_t>(p) + 99) / 100;
  return sorted[std::max<size_t>(rank, 1) - 1];
}

// {"count", "median_seconds", "p90_seconds", "mean_seconds"} of durations.
void write_durations(JsonWriter& w, std::vector<int64_t> seconds) {
  std::sort(seconds.begin(), seconds.end());
  w.begin_object().field("count", static_cast<int64_t>(seconds.size()));
  if (seconds.empty()) {
    w.key("median_seconds").null().key("p90_seconds").null().key("mean_seconds").null();
  } else {
    __int128 sum = 0;
    for (int64_t s : seconds) sum += s;
    w.field("median_seconds", percentile(seconds, 50))
        .field("p90_seconds", percentile(seconds, 90))
        .field("mean_seconds", static_cast<int64_t>(sum / static_cast<__int128>(seconds.size())));
  }
  w.end_object();
}

// The three intervals of one group of declarations.
struct ReleaseTimes {
  std::vector<int64_t> arrival_to_release;  // presented at a gate, then released
  std::vector<int64_t> lodged_to_release;
  std::vector<int64_t> lodged_to_crossing;

  void add(const DeclarationRecord& d) {
    if (d.released_at != 0) lodged_to_release.push_back(d.released_at - d.lodged_at);
    // Released before the goods arrived (pre-arrival processing) counts as 0.
    if (d.released_at != 0 && d.arrived_at != 0) {
      arrival_to_release.push_back(std::max<int64_t>(0, d.released_at - d.arrived_at));
    }
    if (d.crossed_at != 0) lodged_to_crossing.push_back(d.crossed_at - d.lodged_at);
  }
  void write(JsonWriter& w) const {
    w.begin_object();
    w.key("arrival_to_release");
    write_durations(w, arrival_to_release);
    w.key("lodged_to_release");
    write_durations(w, lodged_to_release);
    w.key("lodged_to_crossing");
    write_durations(w, lodged_to_crossing);
    w.end_object();
  }
};

std::string local_hour_text(int64_t hour_start, int offset_minutes) {
  return format_rfc3339(Timestamp{hour_start, offset_minutes});
}

}  // namespace

std::string gate_figures_json(const ZoneState& state, int utc_offset_minutes,
                              const FigureRange& range) {
  const auto in_range = [&](int64_t unix_seconds) {
    const Date day = local_date(unix_seconds, utc_offset_minutes);
    return !(day < range.from) && !(range.to < day);
  };
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.field("from", format_date(range.from)).field("to", format_date(range.to));

  // Crossings per channel and hour, and per channel in all.
  std::map<std::string, ChannelHour> per_channel;
  w.key("crossings_by_hour").begin_array();
  for (const auto& [key, hour] : state.gates.crossings) {
    if (!in_range(key.second)) continue;
    w.begin_object()
        .field("channel", key.first)
        .field("hour", local_hour_text(key.second, utc_offset_minutes))
        .field("open", hour.open)
        .field("stopped", hour.stopped)
        .end_object();
    ChannelHour& total = per_channel[key.first];
    total.open += hour.open;
    total.stopped += hour.stopped;
  }
  w.end_array();
  w.key("crossings_by_channel").begin_array();
  for (const auto& [channel, total] : per_channel) {
    w.begin_object()
        .field("channel", channel)
        .field("open", total.open)
        .field("stopped", total.stopped)
        .end_object();
  }
  w.end_array();

  // Travellers: kept as running counts (all time), since a crossing is not
  // stored one by one.
  const GateState& g = state.gates;
  const int64_t decisions = g.traveller_open + g.traveller_referred;
  w.key("travellers").begin_object();
  w.field("decisions", decisions).field("open", g.traveller_open);
  w.field("referred", g.traveller_referred);
  w.key("cleared_without_referral");
  if (decisions == 0) {
    w.null();
  } else {
    w.fixed_string((g.traveller_open * 10000 + decisions / 2) / decisions, 4);
  }
  w.field("enrolled", static_cast<int64_t>(g.travellers.size()));
  w.end_object();
  w.field("vehicle_permits", static_cast<int64_t>(g.permits.size()));

  // Time release, over the declarations lodged in the range.
  ReleaseTimes all;
  std::map<std::string, ReleaseTimes> by_line, by_lane, by_channel;
  for (const DeclarationRecord& d : state.declarations) {
    if (d.seq == 0 || !in_range(d.lodged_at)) continue;
    all.add(d);
    const int line = movement_line(d.movement);
    by_line[line == 0 ? "none" : std::to_string(line)].add(d);
    by_lane[std::string(lane_name(d.lane))].add(d);
    if (d.crossed_channel != nullptr) by_channel[*d.crossed_channel].add(d);
  }
  w.key("release_times").begin_object();
  w.key("all");
  all.write(w);
  // Lines and lanes are our own words, so they make keys; channel ids come
  // from the pack and are written as values.
  for (const auto& [name, groups] :
       {std::pair{"by_line", &by_line}, std::pair{"by_lane", &by_lane}}) {
    w.key(name).begin_object();
    for (const auto& [key, times] : *groups) {
      w.key(key);
      times.write(w);
    }
    w.end_object();
  }
  w.key("by_channel").begin_array();
  for (const auto& [channel, times] : by_channel) {
    w.begin_object().field("channel", channel).key("times");
    times.write(w);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  w.end_object();
  return out;
}

}  // namespace zg
