#include "risk/simulate.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <random>

#include "core/time.h"
#include "risk/model.h"
#include "risk/targeting.h"
#include "risk/train.h"

namespace zg::risk {
namespace {

Status check(const std::vector<DeclarationRow>& rows, const SimulateOptions& o) {
  const auto bad = [](const std::string& what) {
    return Status(ErrorCode::kInvalidField, "", what);
  };
  if (!(o.rate > 0 && o.rate <= 1)) return bad("the inspection rate must be in (0, 1]");
  if (!(o.random_share >= 0 && o.random_share < 1)) {
    return bad("the random share must be in [0, 1)");
  }
  if (o.warmup_weeks < 0 || o.rounds < 1 || o.depth < 1 || !(o.eta > 0)) {
    return bad("warm-up weeks, rounds, depth or eta out of range");
  }
  if (rows.empty()) return bad("there are no declarations to replay");
  for (const DeclarationRow& r : rows) {
    if (r.fraud != 0 && r.fraud != 1) return bad("the replay needs every declaration's label");
  }
  return Status::ok();
}

int64_t day_of(const DeclarationRow& row) {
  // The reader has checked every date (dataset.cc).
  return days_from_civil(parse_date(row.date).value());
}

// The rows of each 7-day block from the first date, in file order within
// a block (a block with no declarations stays, empty, so weeks keep their
// calendar meaning).
std::vector<std::vector<size_t>> weeks_of(const std::vector<DeclarationRow>& rows,
                                          int64_t& first_day) {
  std::vector<int64_t> days(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) days[i] = day_of(rows[i]);
  first_day = *std::min_element(days.begin(), days.end());
  const int64_t last_day = *std::max_element(days.begin(), days.end());
  std::vector<std::vector<size_t>> weeks(static_cast<size_t>((last_day - first_day) / 7 + 1));
  for (size_t i = 0; i < rows.size(); ++i) {
    weeks[static_cast<size_t>((days[i] - first_day) / 7)].push_back(i);
  }
  return weeks;
}

// `count` of `candidates` drawn without replacement (a partial
// Fisher-Yates shuffle). mt19937_64's raw output is fixed by the standard,
// unlike std::uniform_int_distribution's, so every standard library draws
// the same; the modulo's bias is below 1e-13 for any week's size.
std::vector<size_t> draw(std::vector<size_t> candidates, size_t count, std::mt19937_64& rng) {
  count = std::min(count, candidates.size());
  for (size_t j = 0; j < count; ++j) {
    const size_t k = j + static_cast<size_t>(rng() % (candidates.size() - j));
    std::swap(candidates[j], candidates[k]);
  }
  candidates.resize(count);
  return candidates;
}

// The week's inspections: `by_priority` of the highest priority first
// (ties: the earlier declaration in the file), then `at_random` drawn from
// the rest of the week.
std::vector<size_t> select(const std::vector<size_t>& week, const std::vector<double>& priority,
                           size_t by_priority, size_t at_random, std::mt19937_64& rng) {
  std::vector<size_t> order(week.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return priority[a] > priority[b]; });
  std::vector<size_t> chosen, rest;
  for (size_t k = 0; k < order.size(); ++k) {
    (k < by_priority ? chosen : rest).push_back(week[order[k]]);
  }
  for (size_t i : draw(std::move(rest), at_random, rng)) chosen.push_back(i);
  return chosen;
}

bool has_both_labels(const std::vector<DeclarationRow>& rows) {
  bool fraud = false, compliant = false;
  for (const DeclarationRow& r : rows) (r.fraud == 1 ? fraud : compliant) = true;
  return fraud && compliant;
}

// One run of the replay: its state between weeks.
class Replay {
 public:
  Replay(const std::vector<DeclarationRow>& rows, const SimulateOptions& options)
      : rows_(rows), options_(options) {
    // What the model may look at: the declarations with their labels
    // hidden. A label reaches the training set only through reveal().
    blind_ = rows;
    for (DeclarationRow& r : blind_) r.fraud = -1;
    revealed_.labelled = true;
  }

  WeekFigures week(int number, const std::vector<size_t>& members) {
    WeekFigures w;
    w.week = number;
    w.declarations = members.size();
    w.inspected = inspections(members.size(), options_.rate);
    w.by_model = model_.has_value();
    w.at_random = w.by_model ? static_cast<size_t>(std::llround(options_.random_share *
                                                                static_cast<double>(w.inspected)))
                             : w.inspected;
    std::mt19937_64 rng(options_.seed + static_cast<uint64_t>(number));
    for (size_t i :
         select(members, priorities(members), w.inspected - w.at_random, w.at_random, rng)) {
      reveal(i, w);
    }
    // What the week held: the measure of the run, never shown to the model.
    for (size_t i : members) {
      if (rows_[i].fraud != 1) continue;
      ++w.frauds;
      w.revenue_at_stake += rows_[i].revenue();
    }
    w.labelled = revealed_.rows.size();
    return w;
  }

  // Trains on everything revealed so far. Labels of one class keep the old
  // model: a zone would go on with the one it has.
  Result<bool> retrain(Simulation& out) {
    if (!has_both_labels(revealed_.rows)) {
      ++out.skipped;
      return false;
    }
    TrainOptions t;
    t.max_rounds = options_.rounds;
    t.max_depth = options_.depth;
    t.eta = options_.eta;
    t.threads = options_.threads;
    TrainReport report;
    // No early stopping: a later fifth of a few hundred revealed rows is
    // too noisy to choose a round by, often of one class, and every label
    // is worth fitting on. Validating on the training rows themselves keeps
    // (nearly) every round; `rounds` is the brake.
    Result<Model> model = train_model(revealed_, &revealed_, t, report, {});
    if (!model.is_ok()) {
      if (model.status().first().code != ErrorCode::kInvalidField) return model.status();
      ++out.skipped;
      return false;
    }
    model_ = std::move(model).value();
    ++out.retrainings;
    return true;
  }

  // The final model on every declaration of the file.
  void measure(Simulation& out) const {
    if (!model_) return;
    const std::vector<double> scores = model_->score(blind_);
    out.has_model = true;
    out.final_auc = roc_auc(rows_, scores);
    out.final_precision_at_rate = target(rows_, scores, options_.rate).precision;
  }

 private:
  // The order of inspection: the probability of fraud (see docs/risk.md on
  // why not the expected tax recovered). Without a model, no order.
  std::vector<double> priorities(const std::vector<size_t>& members) const {
    std::vector<double> p(members.size(), 0.0);
    if (!model_) return p;
    std::vector<DeclarationRow> week;
    week.reserve(members.size());
    for (size_t i : members) week.push_back(blind_[i]);
    return model_->score(week);
  }

  void reveal(size_t i, WeekFigures& w) {
    const DeclarationRow& r = rows_[i];
    revealed_.rows.push_back(r);
    if (r.fraud != 1) return;
    ++w.frauds_found;
    w.revenue_found += r.revenue();
  }

  const std::vector<DeclarationRow>& rows_;
  const SimulateOptions& options_;
  std::vector<DeclarationRow> blind_;
  Dataset revealed_;
  std::optional<Model> model_;
};

double ratio(double part, double whole) {
  return whole > 0 ? part / whole : 0;
}

}  // namespace

double WeekFigures::precision() const {
  return ratio(static_cast<double>(frauds_found), static_cast<double>(inspected));
}
double WeekFigures::revenue_share() const {
  return ratio(revenue_found, revenue_at_stake);
}

double Simulation::precision(size_t from) const {
  return ratio(static_cast<double>(frauds_found(from)), static_cast<double>(inspected(from)));
}
double Simulation::revenue_share(size_t from, size_t to) const {
  double found = 0, at_stake = 0;
  for (size_t w = from; w < std::min(to, weeks.size()); ++w) {
    found += weeks[w].revenue_found;
    at_stake += weeks[w].revenue_at_stake;
  }
  return ratio(found, at_stake);
}
size_t Simulation::inspected(size_t from) const {
  size_t n = 0;
  for (size_t w = from; w < weeks.size(); ++w) n += weeks[w].inspected;
  return n;
}
size_t Simulation::frauds_found(size_t from) const {
  size_t n = 0;
  for (size_t w = from; w < weeks.size(); ++w) n += weeks[w].frauds_found;
  return n;
}

Result<Simulation> simulate(const std::vector<DeclarationRow>& rows, const SimulateOptions& options,
                            const std::function<void(int week, int weeks)>& progress) {
  if (Status s = check(rows, options); !s.is_ok()) return s;
  int64_t first_day = 0;
  const std::vector<std::vector<size_t>> weeks = weeks_of(rows, first_day);
  const int count = static_cast<int>(weeks.size());
  Simulation out;
  Replay replay(rows, options);
  for (int w = 0; w < count; ++w) {
    WeekFigures week = replay.week(w + 1, weeks[static_cast<size_t>(w)]);
    week.first_date = format_date(civil_from_days(first_day + 7 * w));
    // The first model comes after the warm-up; the last week's retraining
    // would choose nothing but is the final model measured below.
    if (w + 1 >= options.warmup_weeks) {
      Result<bool> retrained = replay.retrain(out);
      if (!retrained.is_ok()) return retrained.status();
      week.retrained = *retrained;
    }
    out.weeks.push_back(std::move(week));
    if (progress) progress(w + 1, count);
  }
  replay.measure(out);
  return out;
}

double roc_auc(const std::vector<DeclarationRow>& rows, const std::vector<double>& score) {
  std::vector<size_t> order(rows.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return score[a] < score[b]; });
  // The Mann-Whitney statistic: the frauds' ranks (ties share their mean rank).
  double rank_sum = 0;
  size_t frauds = 0;
  for (size_t start = 0; start < order.size();) {
    size_t end = start;
    while (end < order.size() && score[order[end]] == score[order[start]]) ++end;
    const double mean_rank = (static_cast<double>(start + end) + 1) / 2;  // 1-based
    for (size_t k = start; k < end; ++k) {
      if (rows[order[k]].fraud != 1) continue;
      rank_sum += mean_rank;
      ++frauds;
    }
    start = end;
  }
  const size_t compliant = rows.size() - frauds;
  if (frauds == 0 || compliant == 0) return 0;
  const double f = static_cast<double>(frauds);
  return (rank_sum - f * (f + 1) / 2) / (f * static_cast<double>(compliant));
}

}  // namespace zg::risk
