#include "risk/simulate.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/time.h"
#include "risk/targeting.h"

namespace zg::risk {
namespace {

// Twelve weeks of 200 declarations from Monday 2021-01-04. One importer in
// ten, "CROOK", commits fraud every time; the others one time in twenty.
std::vector<DeclarationRow> twelve_weeks() {
  const int64_t monday = days_from_civil(parse_date("2021-01-04").value());
  std::vector<DeclarationRow> rows;
  for (int i = 0; i < 12 * 200; ++i) {
    DeclarationRow r;
    r.id = std::to_string(100000 + i);
    r.date = format_date(civil_from_days(monday + 7 * (i / 200) + i % 7));
    const bool crook = i % 10 == 3;
    r.categories[kImporter] = crook ? "CROOK" : "IMP" + std::to_string(i % 37);
    r.categories[kDeclarant] = "DEC" + std::to_string(i % 11);
    r.categories[kOffice] = std::to_string(i % 3);
    r.categories[kHs6] = i % 2 == 0 ? "610910" : "847130";
    r.categories[kHs2] = r.categories[kHs6].substr(0, 2);
    r.categories[kHs4] = r.categories[kHs6].substr(0, 4);
    r.categories[kOrigin] = r.categories[kDeparture] = i % 4 == 0 ? "CN" : "VN";
    r.tax_rate = 8;
    r.net_mass = 10 + i % 13;
    r.item_price = 1000 + 37 * (i % 29);
    r.fraud = crook || (i * 7919) % 20 == 0 ? 1 : 0;
    rows.push_back(std::move(r));
  }
  return rows;
}

SimulateOptions small(double random_share) {
  SimulateOptions o;
  o.rate = 0.1;  // 20 a week
  o.random_share = random_share;
  o.warmup_weeks = 4;
  o.rounds = 20;
  o.depth = 4;
  return o;
}

Simulation run(const std::vector<DeclarationRow>& rows, const SimulateOptions& o) {
  Result<Simulation> s = simulate(rows, o, {});
  EXPECT_TRUE(s.is_ok()) << s.status().first().message;
  return s.is_ok() ? std::move(s).value() : Simulation{};
}

TEST(Simulate, RevealsOnlyTheInspectedLabelsAtTheRatesAsked) {
  const std::vector<DeclarationRow> rows = twelve_weeks();
  const SimulateOptions options = small(0.25);
  const Simulation s = run(rows, options);
  ASSERT_EQ(s.weeks.size(), 12u);
  size_t inspected = 0;
  for (const WeekFigures& w : s.weeks) {
    EXPECT_EQ(w.declarations, 200u);
    EXPECT_EQ(w.inspected, 20u);  // ceil(0.1 × 200)
    EXPECT_EQ(w.inspected, inspections(w.declarations, options.rate));
    // All random until the first model; then a quarter of the inspections.
    EXPECT_EQ(w.by_model, w.week > options.warmup_weeks) << w.week;
    EXPECT_EQ(w.at_random, w.by_model ? 5u : 20u) << w.week;
    inspected += w.inspected;
    // The labelled set is the inspections and nothing more.
    EXPECT_EQ(w.labelled, inspected) << w.week;
    EXPECT_LE(w.frauds_found, w.inspected);
    EXPECT_LE(w.revenue_found, w.revenue_at_stake);
  }
  EXPECT_EQ(s.weeks[0].first_date, "2021-01-04");
  EXPECT_EQ(s.weeks[11].first_date, "2021-03-22");
  EXPECT_EQ(s.retrainings + s.skipped, 9u);  // after weeks 4 to 12
}

TEST(Simulate, ARerunGivesTheSameFigures) {
  const std::vector<DeclarationRow> rows = twelve_weeks();
  const Simulation a = run(rows, small(0.25)), b = run(rows, small(0.25));
  ASSERT_EQ(a.weeks.size(), b.weeks.size());
  for (size_t w = 0; w < a.weeks.size(); ++w) {
    EXPECT_EQ(a.weeks[w].frauds_found, b.weeks[w].frauds_found) << w;
    EXPECT_EQ(a.weeks[w].revenue_found, b.weeks[w].revenue_found) << w;
    EXPECT_EQ(a.weeks[w].at_random, b.weeks[w].at_random) << w;
  }
  EXPECT_EQ(a.final_auc, b.final_auc);
  // Both runs draw the same warm-up: the share only matters once there is a model.
  const Simulation alone = run(rows, small(0));
  for (size_t w = 0; w < 4; ++w) {
    EXPECT_EQ(a.weeks[w].frauds_found, alone.weeks[w].frauds_found) << w;
  }
}

TEST(Simulate, AfterTheWarmUpTheScoreFindsTheAlwaysFraudulentImporter) {
  const std::vector<DeclarationRow> rows = twelve_weeks();
  const Simulation s = run(rows, small(0));
  size_t frauds = 0;
  for (const DeclarationRow& r : rows) frauds += r.fraud == 1 ? 1 : 0;
  const double random = static_cast<double>(frauds) / static_cast<double>(rows.size());  // 0.145
  EXPECT_GT(s.retrainings, 0u);
  // Weeks 7 to 12: the model has seen the importer's record.
  EXPECT_GT(s.precision(6), 2 * random) << s.precision(6) << " vs " << random;
  // ... and far above the warm-up's random draws.
  size_t warmup_found = 0;
  for (size_t w = 0; w < 4; ++w) warmup_found += s.weeks[w].frauds_found;
  EXPECT_GT(s.precision(6), static_cast<double>(warmup_found) / 80 + 0.3);
  EXPECT_TRUE(s.has_model);
  EXPECT_GT(s.final_auc, 0.7);  // 0.85 at best: the other frauds are noise
}

TEST(Simulate, LabelsOfOneKindNeverTrainAModel) {
  std::vector<DeclarationRow> rows = twelve_weeks();
  for (DeclarationRow& r : rows) r.fraud = 0;
  const Simulation s = run(rows, small(0.1));
  EXPECT_EQ(s.retrainings, 0u);
  EXPECT_EQ(s.skipped, 9u);
  EXPECT_FALSE(s.has_model);
  for (const WeekFigures& w : s.weeks) EXPECT_EQ(w.at_random, w.inspected);
}

TEST(Simulate, RefusesUnlabelledRowsAndRatesOutOfRange) {
  std::vector<DeclarationRow> rows = twelve_weeks();
  SimulateOptions o = small(0.1);
  o.rate = 0;
  EXPECT_FALSE(simulate(rows, o, {}).is_ok());
  o = small(1.0);
  EXPECT_FALSE(simulate(rows, o, {}).is_ok());
  rows[5].fraud = -1;
  EXPECT_FALSE(simulate(rows, small(0.1), {}).is_ok());
  EXPECT_FALSE(simulate({}, small(0.1), {}).is_ok());
}

TEST(Simulate, RocAucCountsTiesAsHalf) {
  std::vector<DeclarationRow> rows(4);
  rows[0].fraud = 1;
  rows[1].fraud = 0;
  rows[2].fraud = 1;
  rows[3].fraud = 0;
  EXPECT_DOUBLE_EQ(roc_auc(rows, {0.9, 0.1, 0.8, 0.2}), 1.0);
  EXPECT_DOUBLE_EQ(roc_auc(rows, {0.1, 0.9, 0.2, 0.8}), 0.0);
  EXPECT_DOUBLE_EQ(roc_auc(rows, {0.5, 0.5, 0.5, 0.5}), 0.5);
  // Frauds at 0.9 and 0.2; compliant at 0.2 and 0.1: 3 wins and a tie of 4 pairs.
  EXPECT_DOUBLE_EQ(roc_auc(rows, {0.9, 0.2, 0.2, 0.1}), 3.5 / 4);
}

}  // namespace
}  // namespace zg::risk
