#include "engine/selection.h"

#include "core/sha256.h"

namespace zg {
namespace {

bool listed(const std::vector<std::string>& list, std::string_view value) {
  for (const std::string& s : list) {
    if (s == value) return true;
  }
  return false;
}

bool meets(const RiskCriterion& c, const LaneInput& in) {
  if (!c.movements.empty() && !listed(c.movements, movement_name(in.movement))) return false;
  if (!c.declarants.empty() && !listed(c.declarants, in.declarant)) return false;
  if (c.hs.empty() && c.origins.empty()) return true;
  // Goods conditions hold together on one item.
  for (const LaneInput::Item& item : in.items) {
    bool hs = c.hs.empty(), origin = c.origins.empty() || listed(c.origins, item.origin);
    for (const std::string& prefix : c.hs) hs = hs || item.hs.starts_with(prefix);
    if (hs && origin) return true;
  }
  return false;
}

}  // namespace

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

LaneChoice choose_lane(const PolicyVersion& policy, const LaneInput& in) {
  LaneChoice choice;
  parse_lane(policy.default_lane, choice.lane);  // the pack loader admits only the four
  const Lane by_default = choice.lane;
  // A hit is a reason when it asks for more than the default lane.
  const auto raise = [&](Lane lane, std::string reason) {
    if (lane_weight(lane) <= lane_weight(by_default)) return;
    if (lane_weight(lane) > lane_weight(choice.lane)) choice.lane = lane;
    choice.reasons.push_back(std::move(reason));
  };
  Lane licensed = Lane::kGreen;
  if (parse_lane(policy.licensed_goods_lane, licensed)) {
    for (const LaneInput::Item& item : in.items) {
      if (item.licence_listed) {
        raise(licensed, "licence/" + std::string(item.hs));
        break;
      }
    }
  }
  for (const RiskCriterion& c : policy.risk_criteria) {
    Lane lane = Lane::kGreen;
    if (parse_lane(c.lane, lane) && meets(c, in)) raise(lane, "criterion/" + c.id);
  }
  if (const auto rates = policy.random_rates.find(in.credit_grade);
      rates != policy.random_rates.end() && !policy.risk_seed.empty()) {
    const uint32_t u = selection_draw(policy.risk_seed, in.secret, in.number);
    if (u < rates->second.red_ppm) {
      raise(Lane::kRed, "random/red");
    } else if (u < rates->second.red_ppm + rates->second.yellow_ppm) {
      raise(Lane::kYellow, "random/yellow");
    }
  }
  return choice;
}

}  // namespace zg
