#include "engine/selection.h"

#include <gtest/gtest.h>

namespace zg {
namespace {

TEST(SelectionDraw, IsDeterministicAndEvenlySpread) {
  EXPECT_EQ(selection_draw("seed", "k", "HQ24050200007"),
            selection_draw("seed", "k", "HQ24050200007"));
  EXPECT_NE(selection_draw("seed", "k", "HQ24050200007"),
            selection_draw("other", "k", "HQ24050200007"));
  // Without the zone's secret the draw cannot be foreseen from the pack.
  EXPECT_NE(selection_draw("seed", "k", "HQ24050200007"),
            selection_draw("seed", "j", "HQ24050200007"));
  // 200,000 identities: each tenth of the range gets 10 %, within 0.5 %.
  int tenths[10] = {};
  for (int i = 0; i < 200'000; ++i)
    ++tenths[selection_draw("seed", "k", "HQ" + std::to_string(i)) / 100'000];
  for (int t : tenths) {
    EXPECT_GT(t, 19'000);
    EXPECT_LT(t, 21'000);
  }
}

struct Case {
  const char* name;
  std::string grade, hs, origin, declarant;
  bool licence_listed;
  Lane lane;
  std::vector<std::string> reasons;
  friend void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }
};

class ChooseLane : public testing::TestWithParam<Case> {};

TEST_P(ChooseLane, TakesTheMostDemandingLaneAndSaysWhy) {
  PolicyVersion policy;
  policy.default_lane = "green";
  policy.licensed_goods_lane = "yellow";
  policy.risk_seed = "seed";
  policy.random_rates["dishonest"] = RandomRates{1'000'000, 0};  // every one drawn red
  policy.random_rates["general"] = RandomRates{0, 0};
  policy.risk_criteria.push_back({"watch-wine", "red", {"2204"}, {"FR"}, {}, {}});
  policy.risk_criteria.push_back({"watch-trader", "blue", {}, {}, {"914404000MA4W2X08U"}, {}});
  policy.risk_criteria.push_back({"entries", "blue", {}, {}, {}, {"second_line_entry"}});
  const Case& c = GetParam();
  LaneInput in;
  in.declarant = c.declarant;
  in.credit_grade = c.grade;
  in.number = "HQ24050200007";
  in.items.push_back({c.hs, c.origin, c.licence_listed});
  const LaneChoice choice = choose_lane(policy, in);
  EXPECT_EQ(lane_name(choice.lane), lane_name(c.lane));
  EXPECT_EQ(choice.reasons, c.reasons);
}

const std::string kTrader = "914404000MA4W2X08U";

INSTANTIATE_TEST_SUITE_P(
    Cases, ChooseLane,
    testing::Values(
        Case{"default", "general", "85423100", "KR", "X", false, Lane::kGreen, {}},
        Case{
            "licence", "general", "24022000", "GB", "X", true, Lane::kYellow, {"licence/24022000"}},
        Case{"criterion",
             "general",
             "22042100",
             "FR",
             "X",
             false,
             Lane::kRed,
             {"criterion/watch-wine"}},
        // hs and origin hold together: Italian wine is not watched.
        Case{"criterion_needs_both", "general", "22042100", "IT", "X", false, Lane::kGreen, {}},
        // Every hit is a reason, the lane the most demanding of them.
        Case{"several",
             "general",
             "22042100",
             "FR",
             kTrader,
             true,
             Lane::kRed,
             {"licence/22042100", "criterion/watch-wine", "criterion/watch-trader"}},
        Case{"blue",
             "general",
             "85423100",
             "KR",
             kTrader,
             false,
             Lane::kBlue,
             {"criterion/watch-trader"}},
        Case{"random", "dishonest", "85423100", "KR", "X", false, Lane::kRed, {"random/red"}},
        // A grade the pack gives no rates is never drawn.
        Case{"no_rates", "advanced", "85423100", "KR", "X", false, Lane::kGreen, {}}),
    [](const testing::TestParamInfo<Case>& param) { return std::string(param.param.name); });

}  // namespace
}  // namespace zg
