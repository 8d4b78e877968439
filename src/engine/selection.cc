#include "engine/selection.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>

#include "core/sha256.h"
#include "risk/model.h"
#include "risk/zone_row.h"

namespace zg {
namespace {

bool listed(const std::vector<std::string>& list, std::string_view value) {
  for (const std::string& s : list) {
    if (s == value) return true;
  }
  return false;
}

bool meets(const RiskCriterion& c, const LaneInput& in, uint64_t discrepancies) {
  if (!c.movements.empty() && !listed(c.movements, movement_name(in.movement))) return false;
  if (!c.declarants.empty() && !listed(c.declarants, in.declarant)) return false;
  if (c.value_from >= 0 && in.declared_fen < c.value_from) return false;
  if (c.value_below >= 0 && in.declared_fen >= c.value_below) return false;
  if (c.first_time && !in.first_time) return false;
  if (c.discrepancies > 0 && discrepancies < static_cast<uint64_t>(c.discrepancies)) return false;
  if (c.hs.empty() && c.origins.empty()) return true;
  // Goods conditions hold together on one item.
  for (const LaneInput::Item& item : in.items) {
    bool hs = c.hs.empty(), origin = c.origins.empty() || listed(c.origins, item.origin);
    for (const std::string& prefix : c.hs) hs = hs || item.hs.starts_with(prefix);
    if (hs && origin) return true;
  }
  return false;
}

constexpr int64_t kWhole = 1'000'000;  // a whole selection, in millionths

// The capacity index of a lane (0 red, 1 yellow), or -1 for lanes that
// release (they need no officer).
int capacity_index(Lane lane) {
  return lane == Lane::kRed ? 0 : lane == Lane::kYellow ? 1 : -1;
}

int64_t capacity_share(const RiskSettings& risk, int index) {
  return index == 0 ? risk.capacity.red_ppm : risk.capacity.yellow_ppm;
}

std::string key_of(std::string_view reason) {
  // "unit-value/22042100/FR/0.21" and "licence/24022000" count as one kind.
  if (reason.starts_with("unit-value/")) return "unit-value";
  if (reason.starts_with("licence/")) return "licence";
  if (reason.starts_with("score/") && reason != "score/unavailable") return "score";
  return std::string(reason);
}

// "0.21": a over b, two decimals, rounded down (b > 0).
std::string ratio_text(int64_t a, int64_t b) {
  const __int128 hundredths = static_cast<__int128>(a) * 100 / b;
  const int64_t h = hundredths > INT64_MAX ? INT64_MAX : static_cast<int64_t>(hundredths);
  std::string frac = std::to_string(h % 100);
  return std::to_string(h / 100) + "." + (frac.size() < 2 ? "0" : "") + frac;
}

// The items whose unit value lies beyond factor × the median of the goods'
// history, or below the median over the factor; then each item's value
// joins its goods' history.
void check_unit_values(const RiskSettings& risk, const LaneInput& in, RiskState& state,
                       const std::function<void(Lane, std::string, bool capped)>& hit) {
  const UnitValueCheck& check = risk.unit_value;
  Lane lane = Lane::kGreen;
  // No check, no history: a zone that turns it on later starts learning then.
  if (check.lane.empty() || !parse_lane(check.lane, lane)) return;
  const size_t length = static_cast<size_t>(check.history);
  // Every item is judged against what was declared before this declaration;
  // then its values join the histories.
  std::vector<std::pair<RiskState::UnitValues*, int64_t>> seen;
  for (const LaneInput::Item& item : in.items) {
    const int64_t value = unit_value_e4(item.declared_fen, item.quantity_e4);
    if (value < 0) continue;
    std::string goods(item.hs);
    goods.append(" ").append(item.origin).append(" ").append(item.unit);
    if (check.by_article) goods.append(" ").append(item.article);
    RiskState::UnitValues& history = state.unit_values[goods];
    history.trim(length);  // a pack version may keep fewer
    seen.emplace_back(&history, value);
    if (static_cast<int64_t>(history.recent.size()) < check.minimum) continue;
    const int64_t median = history.median();
    const __int128 v = static_cast<__int128>(value) * kWhole;
    const __int128 m = static_cast<__int128>(median) * check.factor_ppm;
    const bool low =
        static_cast<__int128>(value) * check.factor_ppm < static_cast<__int128>(median) * kWhole;
    if (v > m || low) {
      hit(lane,
          "unit-value/" + std::string(item.hs) + "/" + std::string(item.origin) + "/" +
              (median > 0 ? ratio_text(value, median) : "inf"),
          true);
    }
  }
  for (const auto& [history, value] : seen) history->add(value, length);
}

// The learned score of a declaration: the highest of its items'
// probabilities of fraud, or none when its features are missing — an item
// without a customs value, or a declarant, goods and origins the model has
// never seen (the score would be the overall fraud rate, not a judgement).
std::optional<double> learned_score(const risk::Model& model, const LaneInput& in) {
  std::vector<risk::DeclarationRow> rows;
  std::vector<std::string> ids;
  ids.reserve(in.items.size());
  for (size_t i = 0; i < in.items.size(); ++i) {
    const LaneInput::Item& item = in.items[i];
    if (item.customs_fen <= 0) return std::nullopt;
    ids.push_back(std::string(in.number) + (i == 0 ? "" : "-" + std::to_string(i + 1)));
    risk::ZoneItem z;
    z.id = ids.back();
    z.date = in.date;
    z.channel = in.channel;
    z.movement = movement_name(in.movement);
    z.purpose = in.purpose;
    z.currency = in.currency;
    z.declarant = in.declarant;
    z.hs = item.hs;
    z.origin = item.origin;
    z.quantity_e4 = item.quantity_e4;
    z.customs_fen = item.customs_fen;
    z.duty_fen = item.duty_fen;
    rows.push_back(risk::zone_row(z));
  }
  // A declaration the model knows nothing of: its score would be the prior.
  if (std::none_of(rows.begin(), rows.end(),
                   [&](const risk::DeclarationRow& row) { return model.encoder.knows(row); })) {
    return std::nullopt;
  }
  const std::vector<double> p = model.score(rows);
  const double highest = *std::max_element(p.begin(), p.end());
  if (!std::isfinite(highest) || highest < 0 || highest > 1) return std::nullopt;
  return highest;
}

void check_score(const RiskSettings& risk, const LaneInput& in,
                 const std::function<void(Lane, std::string, bool capped)>& hit,
                 std::vector<std::string>& reasons, RiskState& state) {
  const ScoreSetting& score = risk.score;
  Lane lane = Lane::kGreen;
  if (score.model == nullptr || !risk::scored_movement(movement_name(in.movement)) ||
      !parse_lane(score.lane, lane)) {
    return;
  }
  const std::optional<double> p = learned_score(*score.model, in);
  if (!p) {
    // Rules and the draw decided alone: the officer should know.
    reasons.push_back("score/unavailable");
    ++state.hits["score/unavailable"].hits;
    return;
  }
  const int64_t ppm = static_cast<int64_t>(std::floor(*p * 1'000'000));
  if (ppm >= score.threshold_ppm) hit(lane, "score/" + ratio_text(ppm, 1'000'000), true);
}

}  // namespace

int64_t unit_value_e4(int64_t declared_fen, int64_t quantity_e4) {
  if (declared_fen <= 0 || quantity_e4 <= 0) return -1;
  const __int128 v = static_cast<__int128>(declared_fen) * 100'000'000 / quantity_e4;
  return v > INT64_MAX ? INT64_MAX : static_cast<int64_t>(v);
}

int lane_weight(Lane lane) {
  switch (lane) {
    case Lane::kGreen: return 0;
    case Lane::kBlue: return 1;
    case Lane::kYellow: return 2;
    case Lane::kRed: return 3;
  }
  return 3;
}

uint32_t selection_draw(std::string_view seed, std::string_view secret, std::string_view identity) {
  std::string text(seed);
  text.push_back('\n');
  text.append(secret);
  text.push_back('\n');
  text.append(identity);
  const Digest d = sha256(text);
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n = (n << 8) | d[static_cast<size_t>(i)];
  return static_cast<uint32_t>(n % 1'000'000);
}

std::string zone_selection_secret(const gate::SigningKey& key) {
  return to_hex(sha256("zonegate selection 1\n" + key.seed()));
}

LaneChoice choose_lane(const RiskSettings& risk, const LaneInput& in, RiskState& state) {
  LaneChoice choice;
  parse_lane(risk.default_lane, choice.lane);  // the pack loader admits only the four
  const Lane by_default = choice.lane;
  // Each declaration frees its share of every capped lane's capacity.
  for (int i = 0; i < 2; ++i) {
    state.used_ppm[static_cast<size_t>(i)] =
        std::max<int64_t>(0, state.used_ppm[static_cast<size_t>(i)] - capacity_share(risk, i));
  }
  const auto has_capacity = [&](Lane lane) {
    const int i = capacity_index(lane);
    if (i < 0 || capacity_share(risk, i) == 0) return true;
    return state.used_ppm[static_cast<size_t>(i)] <= (risk.capacity_burst - 1) * kWhole;
  };
  // A hit is a reason when it asks for more than the default lane; a capped
  // hit that would raise the lane needs the lane's capacity.
  const auto hit = [&](Lane lane, std::string reason, bool capped) {
    if (lane_weight(lane) <= lane_weight(by_default)) return;
    RiskState::Hits& counts = state.hits[key_of(reason)];
    ++counts.hits;
    if (lane_weight(lane) > lane_weight(choice.lane)) {
      if (capped && !has_capacity(lane)) {
        ++counts.over_capacity;
        choice.reasons.push_back("over-capacity/" + reason);
        return;
      }
      choice.lane = lane;
    }
    choice.reasons.push_back(std::move(reason));
  };
  Lane licensed = Lane::kGreen;
  if (parse_lane(risk.licensed_goods_lane, licensed)) {
    for (const LaneInput::Item& item : in.items) {
      if (item.licence_listed) {
        hit(licensed, "licence/" + std::string(item.hs), false);
        break;
      }
    }
  }
  if (const RandomRates rates = risk.random_for(in.credit_grade); !risk.seed.empty()) {
    const uint32_t u = selection_draw(risk.seed, in.secret, in.number);
    if (u < rates.red_ppm) {
      hit(Lane::kRed, "random/red", false);
    } else if (u < rates.red_ppm + rates.yellow_ppm) {
      hit(Lane::kYellow, "random/yellow", false);
    }
  }
  // Uncapped criteria before capped ones, so a capped hit is judged against
  // the lane the law and the draw already gave.
  const uint64_t discrepancies = state.discrepancies_of(in.declarant);
  for (const bool capped : {false, true}) {
    for (const RiskCriterion& c : risk.criteria) {
      Lane lane = Lane::kGreen;
      if (c.capped == capped && parse_lane(c.lane, lane) && meets(c, in, discrepancies)) {
        hit(lane, "criterion/" + c.id, capped);
      }
    }
  }
  check_score(risk, in, hit, choice.reasons, state);
  check_unit_values(risk, in, state, hit);
  if (const int i = capacity_index(choice.lane); i >= 0 && capacity_share(risk, i) > 0) {
    state.used_ppm[static_cast<size_t>(i)] += kWhole;
  }
  ++state.lanes[static_cast<size_t>(choice.lane)];
  return choice;
}

}  // namespace zg
