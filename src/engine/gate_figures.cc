#include "engine/gate_figures.h"

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json.h"

namespace zg {
namespace {

// The nearest-rank index of percentile p (in percent) among n values.
size_t rank_index(size_t n, int p) {
  const size_t rank = (n * static_cast<size_t>(p) + 99) / 100;
  return std::max<size_t>(rank, 1) - 1;
}

// {"count", "median_seconds", "p90_seconds", "mean_seconds"} of durations.
// Two selections, not a sort: a year's declarations are hundreds of
// thousands of durations in a dozen groups.
void write_durations(JsonWriter& w, std::vector<int64_t> seconds) {
  w.begin_object().field("count", static_cast<int64_t>(seconds.size()));
  if (seconds.empty()) {
    w.key("median_seconds").null().key("p90_seconds").null().key("mean_seconds").null();
  } else {
    const size_t p50 = rank_index(seconds.size(), 50), p90 = rank_index(seconds.size(), 90);
    std::nth_element(seconds.begin(), seconds.begin() + static_cast<long>(p50), seconds.end());
    const int64_t median = seconds[p50];
    // Everything after p50 is at least the median, so p90 is among them.
    std::nth_element(seconds.begin() + static_cast<long>(p50),
                     seconds.begin() + static_cast<long>(p90), seconds.end());
    const int64_t ninetieth = seconds[p90];
    __int128 sum = 0;
    for (int64_t s : seconds) sum += s;
    w.field("median_seconds", median)
        .field("p90_seconds", ninetieth)
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

// Crossings summed per (channel, bucket): the bucket is the local hour's
// first unix second, the local day's number (days_from_civil) or the hour of
// the day, 0-23. Channels are views into the zone's state.
using CrossingsBuckets = std::map<std::pair<std::string_view, int64_t>, ChannelHour>;

CrossingsBuckets crossings_buckets(const GateState& gates, int offset_minutes,
                                   const FigureRange& range) {
  const int64_t offset_seconds = int64_t{offset_minutes} * 60;
  CrossingsBuckets buckets;
  for (const auto& [key, hour] : gates.crossings) {
    const Date day = local_date(key.second, offset_minutes);
    if (day < range.from || range.to < day) continue;
    int64_t bucket = key.second;
    switch (range.by) {
      case CrossingsBy::kHour: break;
      case CrossingsBy::kDay: bucket = days_from_civil(day); break;
      case CrossingsBy::kHourOfDay:
        bucket = (((key.second + offset_seconds) % 86400) + 86400) % 86400 / 3600;
        break;
    }
    // The state's hours come in (channel, hour) order, and so do their days:
    // a row adds to the last bucket or, hinted, starts one after it (hours of
    // the day come round again and take the map's usual lookup).
    const std::pair<std::string_view, int64_t> bucket_key{key.first, bucket};
    const auto last = buckets.empty() ? buckets.end() : std::prev(buckets.end());
    ChannelHour& sum = last != buckets.end() && last->first == bucket_key
                           ? last->second
                           : buckets.try_emplace(buckets.end(), bucket_key)->second;
    sum.open += hour.open;
    sum.stopped += hour.stopped;
  }
  return buckets;
}

void write_crossings(JsonWriter& w, const CrossingsBuckets& buckets, int offset_minutes,
                     CrossingsBy by) {
  w.key(std::string("crossings_by_") + std::string(crossings_by_name(by))).begin_array();
  for (const auto& [key, counts] : buckets) {
    w.begin_object().field("channel", key.first);
    switch (by) {
      case CrossingsBy::kHour:
        w.field("hour", format_rfc3339(Timestamp{key.second, offset_minutes}));
        break;
      case CrossingsBy::kDay: w.field("day", format_date(civil_from_days(key.second))); break;
      case CrossingsBy::kHourOfDay: w.field("hour_of_day", key.second); break;
    }
    w.field("open", counts.open).field("stopped", counts.stopped).end_object();
  }
  w.end_array();
}

}  // namespace

bool parse_crossings_by(std::string_view text, CrossingsBy& by) {
  for (const CrossingsBy each : {CrossingsBy::kHour, CrossingsBy::kDay, CrossingsBy::kHourOfDay}) {
    if (text == crossings_by_name(each)) {
      by = each;
      return true;
    }
  }
  return false;
}

std::string_view crossings_by_name(CrossingsBy by) {
  switch (by) {  // No default: -Wswitch flags a new CrossingsBy here.
    case CrossingsBy::kHour: return "hour";
    case CrossingsBy::kDay: return "day";
    case CrossingsBy::kHourOfDay: return "hour_of_day";
  }
  std::abort();  // Unreachable: every enumerator returns above.
}

std::string gate_figures_json(const ZoneState& state, int utc_offset_minutes,
                              const FigureRange& range) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.field("from", format_date(range.from)).field("to", format_date(range.to));

  w.field("by", crossings_by_name(range.by));

  // Crossings per channel and hour (or day, or hour of the day), and per
  // channel in all.
  const CrossingsBuckets buckets = crossings_buckets(state.gates, utc_offset_minutes, range);
  write_crossings(w, buckets, utc_offset_minutes, range.by);
  std::map<std::string_view, ChannelHour> per_channel;
  for (const auto& [key, counts] : buckets) {
    ChannelHour& total = per_channel[key.first];
    total.open += counts.open;
    total.stopped += counts.stopped;
  }
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
    // Its local date is the lodgement's (the record keeps it).
    if (d.date < range.from || range.to < d.date) continue;
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
