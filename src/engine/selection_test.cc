#include "engine/selection.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "risk/train.h"
#include "risk/zone_row.h"

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

struct LaneCase {
  const char* name;
  std::string grade, hs, origin, declarant;
  bool licence_listed;
  Lane lane;
  std::vector<std::string> reasons;
  int64_t declared_fen = 100'00;
  bool first_time = false;
  friend void PrintTo(const LaneCase& c, std::ostream* os) { *os << c.name; }
};

const std::string kTrader = "914404000MA4W2X08U";
const std::string kOffender = "91440400MA4UN4CQ1D";

RiskCriterion criterion(std::string id, std::string lane) {
  RiskCriterion c;
  c.id = std::move(id);
  c.lane = std::move(lane);
  return c;
}

RiskSettings table_settings() {
  RiskSettings risk;
  risk.default_lane = "green";
  risk.licensed_goods_lane = "yellow";
  risk.seed = "seed";
  risk.random["dishonest"] = RandomRates{1'000'000, 0};  // every one drawn red
  risk.random["general"] = RandomRates{0, 0};
  RiskCriterion wine = criterion("watch-wine", "red");
  wine.hs = {"2204"};
  wine.origins = {"FR"};
  RiskCriterion trader = criterion("watch-trader", "blue");
  trader.declarants = {kTrader};
  RiskCriterion entries = criterion("entries", "blue");
  entries.movements = {"second_line_entry"};
  RiskCriterion large = criterion("large", "yellow");  // 1,000,000.00 to 5,000,000.00 CNY
  large.value_from = 1'000'000'00;
  large.value_below = 5'000'000'00;
  RiskCriterion newcomers = criterion("newcomers", "yellow");
  newcomers.first_time = true;
  RiskCriterion repeat = criterion("repeat-offenders", "red");
  repeat.discrepancies = 2;
  for (RiskCriterion* c : {&wine, &trader, &entries, &large, &newcomers, &repeat}) {
    risk.criteria.push_back(*c);
  }
  return risk;
}

class ChooseLane : public testing::TestWithParam<LaneCase> {};

TEST_P(ChooseLane, TakesTheMostDemandingLaneAndSaysWhy) {
  const RiskSettings risk = table_settings();
  RiskState state;
  state.findings[kOffender] = {3, 2};
  const LaneCase& c = GetParam();
  LaneInput in;
  in.declarant = c.declarant;
  in.credit_grade = c.grade;
  in.number = "HQ24050200007";
  in.declared_fen = c.declared_fen;
  in.first_time = c.first_time;
  in.items.push_back({c.hs, c.origin, "KGM", c.licence_listed, c.declared_fen, 1'0000, 0, 0, ""});
  const LaneChoice choice = choose_lane(risk, in, state);
  EXPECT_EQ(lane_name(choice.lane), lane_name(c.lane));
  EXPECT_EQ(choice.reasons, c.reasons);
  EXPECT_EQ(state.lanes[static_cast<size_t>(c.lane)], 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ChooseLane,
    testing::Values(
        LaneCase{"default", "general", "85423100", "KR", "X", false, Lane::kGreen, {}},
        LaneCase{
            "licence", "general", "24022000", "GB", "X", true, Lane::kYellow, {"licence/24022000"}},
        LaneCase{"criterion",
                 "general",
                 "22042100",
                 "FR",
                 "X",
                 false,
                 Lane::kRed,
                 {"criterion/watch-wine"}},
        // hs and origin hold together: Italian wine is not watched.
        LaneCase{"criterion_needs_both", "general", "22042100", "IT", "X", false, Lane::kGreen, {}},
        // Every hit is a reason, the lane the most demanding of them.
        LaneCase{"several",
                 "general",
                 "22042100",
                 "FR",
                 kTrader,
                 true,
                 Lane::kRed,
                 {"licence/22042100", "criterion/watch-wine", "criterion/watch-trader"}},
        LaneCase{"blue",
                 "general",
                 "85423100",
                 "KR",
                 kTrader,
                 false,
                 Lane::kBlue,
                 {"criterion/watch-trader"}},
        LaneCase{"random", "dishonest", "85423100", "KR", "X", false, Lane::kRed, {"random/red"}},
        // A grade the pack gives no rates is never drawn.
        LaneCase{"no_rates", "advanced", "85423100", "KR", "X", false, Lane::kGreen, {}},
        // Value bands: from is in the band, below is not.
        LaneCase{"band_from",
                 "general",
                 "85423100",
                 "KR",
                 "X",
                 false,
                 Lane::kYellow,
                 {"criterion/large"},
                 1'000'000'00},
        LaneCase{
            "band_below", "general", "85423100", "KR", "X", false, Lane::kGreen, {}, 5'000'000'00},
        LaneCase{
            "under_band", "general", "85423100", "KR", "X", false, Lane::kGreen, {}, 999'999'99},
        LaneCase{"first_time",
                 "general",
                 "85423100",
                 "KR",
                 "X",
                 false,
                 Lane::kYellow,
                 {"criterion/newcomers"},
                 100'00,
                 true},
        // Two discrepancies found before: the criterion asks for two.
        LaneCase{"discrepancies",
                 "general",
                 "85423100",
                 "KR",
                 kOffender,
                 false,
                 Lane::kRed,
                 {"criterion/repeat-offenders"}}),
    [](const testing::TestParamInfo<LaneCase>& param) { return std::string(param.param.name); });

LaneInput wine(const std::string& number, int64_t fen_per_litre) {
  LaneInput in;
  in.declarant = kTrader;
  in.credit_grade = "general";
  in.number = number;
  in.items.push_back(
      {"22042100", "FR", "LTR", false, fen_per_litre * 100, 100'0000, 0, 0, ""});  // 100 L
  in.declared_fen = fen_per_litre * 100;
  return in;
}

// A criterion hitting every declaration selects at the lane's capacity, not
// more: capacity is what officers can take.
TEST(LaneCapacity, CriteriaSelectAtTheLanesCapacity) {
  RiskSettings risk;
  risk.capacity.red_ppm = 30'000;  // 3 %
  risk.capacity_burst = 10;
  RiskCriterion all = criterion("all-wine", "red");
  all.hs = {"2204"};
  risk.criteria.push_back(all);
  RiskState state;
  const int n = 20'000;
  int red = 0, over = 0;
  for (int i = 0; i < n; ++i) {
    const LaneChoice choice = choose_lane(risk, wine("HQ" + std::to_string(i), 50'00), state);
    if (choice.lane == Lane::kRed) {
      ++red;
      EXPECT_EQ(choice.reasons, std::vector<std::string>{"criterion/all-wine"});
    } else {
      ++over;
      EXPECT_EQ(choice.reasons, std::vector<std::string>{"over-capacity/criterion/all-wine"});
    }
  }
  // 3 % of 20,000 plus the 10 saved up at the start, give or take one.
  EXPECT_NEAR(red, 600 + 10, 1);
  EXPECT_EQ(state.hits["criterion/all-wine"].hits, static_cast<uint64_t>(n));
  EXPECT_EQ(state.hits["criterion/all-wine"].over_capacity, static_cast<uint64_t>(over));
  EXPECT_EQ(state.lanes[static_cast<size_t>(Lane::kRed)], static_cast<uint64_t>(red));
}

// Random draws and uncapped criteria always select, and use capacity: the
// capped criteria fill what is left, so the lane's rate stays the capacity.
TEST(LaneCapacity, RandomDrawsComeFirstAndCriteriaFillTheRest) {
  RiskSettings risk;
  risk.seed = "seed";
  risk.random["general"] = RandomRates{20'000, 0};  // 2 % drawn red
  risk.capacity.red_ppm = 30'000;
  risk.capacity_burst = 10;
  RiskCriterion all = criterion("all-wine", "red");
  all.hs = {"2204"};
  RiskCriterion must = criterion("must-check", "red");
  must.declarants = {kOffender};
  must.capped = false;
  risk.criteria.push_back(all);
  risk.criteria.push_back(must);
  RiskState state;
  const int n = 50'000;
  int red = 0, drawn = 0;
  for (int i = 0; i < n; ++i) {
    const LaneChoice choice = choose_lane(risk, wine("HQ" + std::to_string(i), 50'00), state);
    red += choice.lane == Lane::kRed;
    drawn += !choice.reasons.empty() && choice.reasons[0] == "random/red";
  }
  EXPECT_NEAR(drawn, 1'000, 3 * std::sqrt(1'000.0));  // the draw keeps its rate
  EXPECT_NEAR(red, 1'500 + 10, 5);                    // the lane keeps its capacity
  // Capacity spent, a declaration the law wants checked is still selected.
  const std::string must_number = "HQ-must";
  LaneInput offender = wine(must_number, 50'00);
  offender.declarant = kOffender;
  state.used_ppm[0] = 50 * 1'000'000;
  EXPECT_EQ(choose_lane(risk, offender, state).lane, Lane::kRed);
}

// minimum_random keeps exploring even the grades the pack spares.
TEST(LaneRates, TheMinimumRandomRateCoversEveryGrade) {
  RiskSettings risk;
  risk.seed = "seed";
  risk.random["advanced"] = RandomRates{0, 0};
  risk.minimum_random = RandomRates{10'000, 20'000};  // 1 % red, 2 % yellow
  RiskState state;
  const int n = 40'000;
  for (int i = 0; i < n; ++i) {
    const std::string number = "HQ" + std::to_string(i);  // the input views it
    LaneInput in = wine(number, 50'00);
    in.credit_grade = "advanced";
    choose_lane(risk, in, state);
  }
  EXPECT_NEAR(static_cast<double>(state.lanes[static_cast<size_t>(Lane::kRed)]), 400,
              3 * std::sqrt(400.0));
  EXPECT_NEAR(static_cast<double>(state.lanes[static_cast<size_t>(Lane::kYellow)]), 800,
              3 * std::sqrt(800.0));
}

// A unit value far from the median of the same goods' recent ones is a
// reason, once there is enough history; the values join the history after.
TEST(UnitValue, FarFromTheGoodsMedianIsFlagged) {
  RiskSettings risk;
  risk.unit_value.lane = "yellow";
  risk.unit_value.factor_ppm = 3'000'000;  // 3×
  risk.unit_value.history = 20;
  risk.unit_value.minimum = 10;
  RiskState state;
  // Too little history: nothing is judged.
  EXPECT_EQ(choose_lane(risk, wine("HQ0", 5'00), state).lane, Lane::kGreen);
  for (int i = 1; i < 10; ++i) {
    EXPECT_EQ(choose_lane(risk, wine("HQ" + std::to_string(i), 80'00 + i), state).lane,
              Lane::kGreen);
  }
  // Ten values now, median 80.04 CNY per litre.
  const LaneChoice low = choose_lane(risk, wine("HQ-low", 20'00), state);
  EXPECT_EQ(low.lane, Lane::kYellow);
  EXPECT_EQ(low.reasons, std::vector<std::string>{"unit-value/22042100/FR/0.24"});
  EXPECT_EQ(choose_lane(risk, wine("HQ-ok", 30'00), state).lane, Lane::kGreen);  // over a third
  const LaneChoice high = choose_lane(risk, wine("HQ-high", 250'00), state);
  EXPECT_EQ(high.lane, Lane::kYellow);
  EXPECT_EQ(high.reasons, std::vector<std::string>{"unit-value/22042100/FR/3.12"});
  // Another origin is other goods, with no history yet.
  const std::string it = "HQ-it";
  LaneInput italian = wine(it, 1'00);
  italian.items[0].origin = "IT";
  EXPECT_EQ(choose_lane(risk, italian, state).lane, Lane::kGreen);
  EXPECT_EQ(state.unit_values["22042100 FR LTR"].recent.size(), 13u);
  EXPECT_EQ(state.hits["unit-value"].hits, 2u);
}

// Two lines of the same goods are each judged against what was declared
// before, not against each other.
TEST(UnitValue, LinesOfOneDeclarationAreJudgedAgainstEarlierOnes) {
  RiskSettings risk;
  risk.unit_value.lane = "yellow";
  risk.unit_value.factor_ppm = 3'000'000;
  risk.unit_value.history = 20;
  risk.unit_value.minimum = 3;
  RiskState state;
  for (int i = 0; i < 3; ++i) {
    choose_lane(risk, wine("HQ" + std::to_string(i), 80'00), state);
  }
  const std::string number = "HQ-two";  // the input views it
  LaneInput two = wine(number, 10'00);
  two.items.push_back(two.items[0]);  // the same cheap wine again, on line 2
  const LaneChoice choice = choose_lane(risk, two, state);
  EXPECT_EQ(choice.reasons, (std::vector<std::string>{"unit-value/22042100/FR/0.12",
                                                      "unit-value/22042100/FR/0.12"}));
  EXPECT_EQ(state.unit_values["22042100 FR LTR"].recent.size(), 5u);
}

TEST(UnitValue, TheHistoryKeepsTheNewestValues) {
  RiskState::UnitValues history;
  for (int64_t v = 1; v <= 7; ++v) history.add(v, 5);
  // 3, 4, 5, 6, 7 remain.
  EXPECT_EQ(history.median(), 5);
  std::vector<int64_t> sorted = history.recent;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<int64_t>{3, 4, 5, 6, 7}));
  // A later pack keeps three: the newest three.
  history.add(8, 3);
  sorted = history.recent;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<int64_t>{6, 7, 8}));
  history.add(9, 3);
  sorted = history.recent;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<int64_t>{7, 8, 9}));
}

// The learned score in the engine: a model trained on findings where one
// declarant always cheated sends that declarant to its lane with the score
// as the reason; a declaration the model knows nothing of says the score
// was unavailable and is left to the rules and the draw.
TEST(LearnedScore, SelectsWhatTheModelLearnedAndSaysWhenItCannotJudge) {
  risk::Dataset train;
  train.labelled = true;
  for (int i = 0; i < 400; ++i) {
    const bool cheat = i % 2 == 0;
    risk::ZoneItem z;
    const std::string id = "T" + std::to_string(i);
    const std::string date =
        "2024-05-" + std::string(i % 28 < 9 ? "0" : "") + std::to_string(i % 28 + 1);
    z.id = id;
    z.date = date;
    z.movement = "first_line_entry";
    z.purpose = "trade";
    z.currency = "CNY";
    z.declarant = cheat ? kOffender : kTrader;
    z.hs = "85423100";
    z.origin = "KR";
    z.quantity_e4 = 100'0000;
    z.customs_fen = 5000'00;
    risk::DeclarationRow row = risk::zone_row(z);
    row.fraud = cheat ? 1 : 0;
    train.rows.push_back(std::move(row));
  }
  risk::TrainOptions options;
  options.max_rounds = 10;
  options.threads = 1;
  risk::TrainReport report;
  Result<risk::Model> model =
      risk::train_model(train, nullptr, options, report, [](int, double) {});
  ASSERT_TRUE(model.is_ok()) << model.status().first().message;

  RiskSettings risk;
  risk.score.model = std::make_shared<const risk::Model>(std::move(model).value());
  risk.score.lane = "red";
  risk.score.threshold_ppm = 500'000;
  RiskState state;
  const auto entry = [](std::string_view declarant, std::string_view hs, std::string_view origin) {
    LaneInput in;
    in.declarant = declarant;
    in.credit_grade = "general";
    in.number = "HQ24060100009";
    in.date = "2024-06-01";
    in.purpose = "trade";
    in.currency = "CNY";
    in.items.push_back({hs, origin, "pcs", false, 5000'00, 100'0000, 5000'00, 0, ""});
    return in;
  };
  const LaneChoice cheat = choose_lane(risk, entry(kOffender, "85423100", "KR"), state);
  EXPECT_EQ(cheat.lane, Lane::kRed);
  ASSERT_EQ(cheat.reasons.size(), 1u);
  EXPECT_TRUE(cheat.reasons[0].starts_with("score/0.")) << cheat.reasons[0];
  const LaneChoice honest = choose_lane(risk, entry(kTrader, "85423100", "KR"), state);
  EXPECT_EQ(honest.lane, Lane::kGreen);
  EXPECT_TRUE(honest.reasons.empty());
  // Never seen: another declarant, other goods from elsewhere.
  const LaneChoice stranger =
      choose_lane(risk, entry("91440400MA4UN4CQ2B", "22042100", "FR"), state);
  EXPECT_EQ(stranger.lane, Lane::kGreen);
  EXPECT_EQ(stranger.reasons, std::vector<std::string>{"score/unavailable"});
  EXPECT_EQ(state.hits["score"].hits, 1u);
  // The score judges goods entering; an exit is not scored.
  LaneInput exit = entry(kOffender, "85423100", "KR");
  exit.movement = Movement::kFirstLineExit;
  EXPECT_TRUE(choose_lane(risk, exit, state).reasons.empty());
  // Capped like criteria: without capacity, a reason but no selection.
  risk.capacity.red_ppm = 1;
  state.used_ppm[0] = 100 * 1'000'000;
  const LaneChoice full = choose_lane(risk, entry(kOffender, "85423100", "KR"), state);
  EXPECT_EQ(full.lane, Lane::kGreen);
  ASSERT_EQ(full.reasons.size(), 1u);
  EXPECT_TRUE(full.reasons[0].starts_with("over-capacity/score/0.")) << full.reasons[0];
}

}  // namespace
// By article, an item meets its own article's prices: two boards of one
// heading ten times apart are each as usual, and one declared at a fifth
// of its own price is flagged; by goods, the dear board is flagged too.
TEST(UnitValue, ByArticleComparesAnArticleWithItsOwnPrices) {
  for (const bool by_article : {false, true}) {
    RiskSettings risk;
    risk.capacity.yellow_ppm = 1'000'000;
    risk.unit_value = UnitValueCheck{"yellow", 3'000'000, 50, 10, by_article};
    RiskState state;
    const auto board = [](const std::string& number, std::string_view article, int64_t fen) {
      LaneInput in;
      in.declarant = kTrader;
      in.credit_grade = "general";
      in.number = number;
      in.items.push_back({"85340090", "CN", "pcs", false, fen * 100, 100'0000, fen * 100, 0, ""});
      in.items.back().article = article;
      in.declared_fen = fen * 100;
      return in;
    };
    int flagged = 0;
    for (int i = 0; i < 40; ++i) {  // bare boards at 5.00, camera boards at 60.00 a piece
      const bool camera = i % 4 == 0;
      const LaneChoice c = choose_lane(
          risk,
          board("B" + std::to_string(i), camera ? "PCB-CAMERA" : "PCB-BARE", camera ? 6000 : 500),
          state);
      flagged += c.lane == Lane::kYellow ? 1 : 0;
    }
    EXPECT_EQ(flagged > 0, !by_article) << "by_article " << by_article;
    const LaneChoice cheap = choose_lane(risk, board("B-low", "PCB-CAMERA", 1200), state);
    if (by_article) {
      EXPECT_EQ(cheap.lane, Lane::kYellow);
      ASSERT_FALSE(cheap.reasons.empty());
      EXPECT_EQ(cheap.reasons.front(), "unit-value/85340090/CN/0.20");
    }
  }
}

}  // namespace zg
