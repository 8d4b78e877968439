// Learning as it runs: a replay of a labelled file week by week, as a zone
// would live it. Each week the current model ranks the week's declarations,
// the top share is inspected, and only the inspected declarations' labels
// are revealed; after the week the model is trained again on everything
// revealed so far. A model that learns only from its own choices sees only
// what it already suspects, so a share of the inspections can be drawn at
// random (exploration) to keep it honest; two runs, with and without that
// share, show what it costs and what it buys (docs/risk.md, "Learning as it
// runs").
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "risk/dataset.h"

namespace zg::risk {

struct SimulateOptions {
  double rate = 0.05;         // the share of each week's declarations inspected, in (0, 1]
  double random_share = 0.1;  // the share of those inspections drawn at random, in [0, 1)
  int warmup_weeks = 4;       // weeks of random selection before the first model
  int rounds = 30;            // trees of each retraining (risk::TrainOptions::max_rounds)
  int depth = 6;
  double eta = 0.3;  // few rounds: larger steps than train's 0.1
  // One thread: the trainings are small (a few thousand rows), where a
  // second thread's waits cost about what it saves; the figures are the
  // same with two.
  int threads = 1;
  // The random draws of week w come from std::mt19937_64 seeded with
  // seed + w, so both runs draw the same warm-up and a rerun the same weeks.
  uint64_t seed = 7;
};

// One week of the replay. Weeks are 7-day blocks from the file's first date
// (week 1 begins on it), so a replay of any period has whole weeks but the
// last, whatever the weekday it starts on.
struct WeekFigures {
  int week = 0;            // 1, 2, ...
  std::string first_date;  // the block's first day (YYYY-MM-DD)
  size_t declarations = 0;
  size_t inspected = 0;   // ceil(rate × declarations)
  size_t at_random = 0;   // of those, drawn at random
  bool by_model = false;  // a model chose the rest (false: warm-up, all random)
  size_t frauds = 0;      // among all the week's declarations
  size_t frauds_found = 0;
  double revenue_at_stake = 0;  // the tax at stake of the week's frauds
  double revenue_found = 0;     // ... of the frauds found
  size_t labelled = 0;          // labels revealed so far, this week's included
  bool retrained = false;       // a model was trained after this week

  double precision() const;
  double revenue_share() const;  // revenue_found / revenue_at_stake (0 when no fraud)
};

struct Simulation {
  std::vector<WeekFigures> weeks;
  size_t retrainings = 0;
  size_t skipped = 0;  // retrainings skipped: too few or one-class labels, the old model kept
  // The final model measured on every declaration of the file, inspected
  // or not: does a model that learned from its own choices still rank the
  // whole population well? (0 when there never was a model.)
  bool has_model = false;
  double final_auc = 0;                // ROC AUC
  double final_precision_at_rate = 0;  // precision inspecting the top `rate` of the file

  // Totals over weeks [from, weeks.size()) (revenue: [from, to)).
  double precision(size_t from = 0) const;
  double revenue_share(size_t from = 0, size_t to = SIZE_MAX) const;
  size_t inspected(size_t from = 0) const;
  size_t frauds_found(size_t from = 0) const;
};

// Replays `rows` (labelled: Fraud 0 or 1) under `options`. `progress` is
// told after each week (week done, weeks in all). Errors: options out of
// range, rows without labels, and XGBoost failing for another reason than
// too few labels.
Result<Simulation> simulate(const std::vector<DeclarationRow>& rows, const SimulateOptions& options,
                            const std::function<void(int week, int weeks)>& progress);

// The ROC AUC of `score` against the rows' labels: the chance that a fraud
// scores above a compliant declaration, ties counting half.
double roc_auc(const std::vector<DeclarationRow>& rows, const std::vector<double>& score);

}  // namespace zg::risk
