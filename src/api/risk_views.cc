#include "api/risk_views.h"

#include <algorithm>
#include <tuple>

#include "core/json.h"

namespace zg::api {
namespace {

std::string share(int64_t ppm) {
  return format_fixed_trimmed(ppm, 6, 2);
}

void lane_shares(JsonWriter& w, std::string_view key, const LaneShares& s) {
  w.key(key).begin_object().field("red", share(s.red_ppm)).field("yellow", share(s.yellow_ppm));
  w.end_object();
}

void settings(JsonWriter& w, const RiskSettings& risk) {
  w.field("default_lane", risk.default_lane);
  w.field_or_null("licensed_goods_lane", risk.licensed_goods_lane);
  lane_shares(w, "capacity", risk.capacity);
  w.field("capacity_burst", risk.capacity_burst);
  lane_shares(w, "minimum_random", risk.minimum_random);
  w.key("random").begin_object();
  for (const char* grade : {"advanced", "general", "dishonest"}) {
    lane_shares(w, grade, risk.random_for(grade));  // with the minimum applied
  }
  w.end_object();
  w.key("criteria").begin_array();
  for (const RiskCriterion& c : risk.criteria) {
    w.begin_object().field("id", c.id).field("lane", c.lane).field_bool("capped", c.capped);
    const auto list = [&](std::string_view key, const std::vector<std::string>& values) {
      if (values.empty()) return;
      w.key(key).begin_array();
      for (const std::string& v : values) w.string(v);
      w.end_array();
    };
    list("hs", c.hs);
    list("origins", c.origins);
    list("declarants", c.declarants);
    list("movements", c.movements);
    if (c.value_from >= 0) w.field_money("value_from", Money{c.value_from});
    if (c.value_below >= 0) w.field_money("value_below", Money{c.value_below});
    if (c.first_time) w.field_bool("first_time", true);
    if (c.discrepancies > 0) w.field("discrepancies", c.discrepancies);
    w.end_object();
  }
  w.end_array();
  if (risk.score.model != nullptr) {
    w.key("score").begin_object().field("model", risk.score.file).field("lane", risk.score.lane);
    w.field("threshold", share(risk.score.threshold_ppm)).end_object();
  }
  if (!risk.unit_value.lane.empty()) {
    w.key("unit_value").begin_object().field("lane", risk.unit_value.lane);
    w.field("factor", format_fixed_trimmed(risk.unit_value.factor_ppm, 6, 0));
    w.field("history", risk.unit_value.history).field("minimum", risk.unit_value.minimum);
    w.end_object();
  }
}

}  // namespace

HttpResponse risk_view(const Engine& engine, Date today) {
  const ZoneState& state = engine.state();
  const RiskState& r = state.risk;
  const PolicyVersion* version = engine.pack().in_force(today);
  std::string body;
  JsonWriter w(body);
  w.begin_object();
  if (version != nullptr) {
    w.field("version", format_date(version->effective_from));
    settings(w, version->risk);
  }
  uint64_t total = 0;
  for (uint64_t n : r.lanes) total += n;
  w.field("declarations", static_cast<int64_t>(total));
  w.key("lanes").begin_object();
  for (Lane lane : {Lane::kGreen, Lane::kBlue, Lane::kYellow, Lane::kRed}) {
    const uint64_t n = r.lanes[static_cast<size_t>(lane)];
    // The share of declarations given the lane, to set beside its capacity.
    const int64_t ppm = total == 0 ? 0 : static_cast<int64_t>(n * 1'000'000 / total);
    w.key(lane_name(lane)).begin_object().field("declarations", static_cast<int64_t>(n));
    w.field("share", share(ppm)).end_object();
  }
  w.end_object();
  if (version != nullptr) {
    // Selections saved up in each capped lane (the burst less what is used).
    w.key("capacity_free").begin_object();
    const int64_t burst = version->risk.capacity_burst * 1'000'000;
    for (const auto& [name, index, cap] :
         {std::tuple{"red", 0, version->risk.capacity.red_ppm},
          std::tuple{"yellow", 1, version->risk.capacity.yellow_ppm}}) {
      if (cap == 0) {
        w.key(name).null();
      } else {
        w.field(name,
                format_fixed_trimmed(
                    std::max<int64_t>(0, burst - r.used_ppm[static_cast<size_t>(index)]), 6, 2));
      }
    }
    w.end_object();
  }
  w.key("hits").begin_array();
  for (const auto& [reason, h] : r.hits) {
    w.begin_object().field("reason", reason).field("hits", static_cast<int64_t>(h.hits));
    w.field("over_capacity", static_cast<int64_t>(h.over_capacity)).end_object();
  }
  w.end_array();
  uint64_t inspections = 0, discrepancies = 0;
  for (const auto& [uscc, f] : r.findings) {
    inspections += f.inspections;
    discrepancies += f.discrepancies;
  }
  w.key("findings").begin_object().field("inspections", static_cast<int64_t>(inspections));
  w.field("discrepancies", static_cast<int64_t>(discrepancies)).end_object();
  w.field("goods_with_unit_values", static_cast<int64_t>(r.unit_values.size()));
  w.end_object();
  HttpResponse response;
  response.body = std::move(body);
  return response;
}

}  // namespace zg::api
