// zonegate risk: the learned risk score (docs/risk.md).
//
//   zonegate risk train --train FILE.csv [--valid FILE.csv] --model OUT [--rounds N] [--depth D]
//                       [--eta E]
//   zonegate risk score --model M FILE.csv          # "Declaration ID,score" per row
//   zonegate risk evaluate --model M FILE.csv       # targeting at 1, 2, 5 and 10 %
//   zonegate risk labels --data DIR [--out FILE.csv] # the zone's inspected declarations
//   zonegate risk simulate FILE.csv [--rate R] [--random S] [--rounds N]
//                          [--warmup-weeks W]       # learning as it runs, week by week
//
// Files are in the column format of ../shared/data/customs-declarations/.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "cli/commands.h"
#include "cli/risk_labels.h"
#include "core/durable_file.h"
#include "risk/model.h"
#include "risk/simulate.h"
#include "risk/targeting.h"
#include "risk/train.h"

namespace zg::cli {
namespace risk_cmd {  // this command's own names (commands.h says why)
namespace {

constexpr const char* kUsage =
    "usage: zonegate risk train --train FILE.csv [--valid FILE.csv] --model OUT\n"
    "                           [--rounds N (100)] [--depth D (8)] [--eta E (0.1)]\n"
    "       zonegate risk score --model MODEL FILE.csv\n"
    "       zonegate risk evaluate --model MODEL FILE.csv\n"
    "       zonegate risk labels --data DIR [--out FILE.csv]\n"
    "       zonegate risk simulate FILE.csv [--rate R (0.05)] [--random S (0.1)]\n"
    "                              [--rounds N (30)] [--warmup-weeks W (4)]\n";

struct Options {
  std::string train, valid, model, file, data, out;
  risk::TrainOptions options;
  risk::SimulateOptions simulate;
  std::set<std::string, std::less<>> given;  // the flags given
};

// A number, all of `text` (strtod's reading; NaN fails every range check).
bool number(const std::string& text, double& n) {
  char* end = nullptr;
  n = std::strtod(text.c_str(), &end);
  return !text.empty() && *end == '\0';
}
bool whole(double n, double low, double high) {
  return n >= low && n <= high && n == std::floor(n);
}

bool parse(const Args& args, Options& o) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (!a.starts_with("--")) {
      if (!o.file.empty()) return false;
      o.file = std::string(a);
      continue;
    }
    if (i + 1 >= args.size()) return false;
    const std::string value(args[++i]);
    o.given.emplace(a);
    double n = 0;
    if (a == "--train") {
      o.train = value;
    } else if (a == "--valid") {
      o.valid = value;
    } else if (a == "--model") {
      o.model = value;
    } else if (a == "--data") {
      o.data = value;
    } else if (a == "--out") {
      o.out = value;
    } else if (!number(value, n)) {
      return false;
    } else if (a == "--eta") {
      if (!(n > 0 && n <= 1)) return false;
      o.options.eta = n;
    } else if (a == "--depth") {
      if (!whole(n, 1, risk::Forest::kMaxDepth)) return false;
      o.options.max_depth = static_cast<int>(n);
    } else if (a == "--rounds") {
      // train's and simulate's (their defaults differ: 100 and 30)
      if (!whole(n, 1, 10'000)) return false;
      o.options.max_rounds = o.simulate.rounds = static_cast<int>(n);
    } else if (a == "--rate") {
      if (!(n > 0 && n <= 1)) return false;
      o.simulate.rate = n;
    } else if (a == "--random") {
      if (!(n >= 0 && n < 1)) return false;
      o.simulate.random_share = n;
    } else if (a == "--warmup-weeks") {
      if (!whole(n, 0, 10'000)) return false;
      o.simulate.warmup_weeks = static_cast<int>(n);
    } else {
      return false;
    }
  }
  return true;
}

// Whether every flag given is one of `allowed`: a subcommand refuses the
// others' flags rather than ignore them.
bool only(const Options& o, std::initializer_list<std::string_view> allowed) {
  return std::all_of(o.given.begin(), o.given.end(), [&](const std::string& flag) {
    return std::find(allowed.begin(), allowed.end(), flag) != allowed.end();
  });
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Result<std::string>(ErrorCode::kIoError, "", "cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<risk::Dataset> read_dataset(const std::string& path, bool need_labels) {
  Result<std::string> text = read_file(path);
  if (!text.is_ok()) return text.status();
  Result<risk::Dataset> data = risk::read_declarations(*text, need_labels);
  if (!data.is_ok()) {
    return Result<risk::Dataset>(ErrorCode::kInvalidField, "",
                                 path + ": " + data.status().first().message);
  }
  return data;
}

Result<risk::Model> read_model(const std::string& path) {
  Result<std::string> text = read_file(path);
  if (!text.is_ok()) return text.status();
  Result<risk::Model> model = risk::Model::parse(*text);
  if (!model.is_ok()) {
    return Result<risk::Model>(ErrorCode::kInvalidField, "",
                               path + ": " + model.status().first().message);
  }
  return model;
}

int fail(const Status& status) {
  std::fprintf(stderr, "zonegate risk: %s\n", status.first().message.c_str());
  return status.first().code == ErrorCode::kIoError ? 2 : 1;
}

int train(const Options& o) {
  if (o.train.empty() || o.model.empty() || !o.file.empty() ||
      !only(o, {"--train", "--valid", "--model", "--rounds", "--depth", "--eta"})) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  Result<risk::Dataset> train_set = read_dataset(o.train, true);
  if (!train_set.is_ok()) return fail(train_set.status());
  std::optional<risk::Dataset> valid_set;
  if (!o.valid.empty()) {
    Result<risk::Dataset> v = read_dataset(o.valid, true);
    if (!v.is_ok()) return fail(v.status());
    valid_set = std::move(v).value();
  }
  const risk::TrainOptions& options = o.options;
  risk::TrainReport report;
  const bool tty = isatty(STDERR_FILENO) != 0;
  const auto started = std::chrono::steady_clock::now();
  Result<risk::Model> model = risk::train_model(
      *train_set, valid_set ? &*valid_set : nullptr, options, report, [&](int round, double m) {
        if (tty && (round % 10 == 0)) {
          std::fprintf(stderr, "\rround %d, validation AUC-PR %.4f", round, m);
        }
      });
  if (tty) std::fputs("\r\033[K", stderr);
  if (!model.is_ok()) return fail(model.status());
  const std::string text = model->text();
  if (Status s = write_file_durably(o.model, text, 0644, Replace::kAllowed); !s.is_ok()) {
    return fail(s);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "{\"model\":\"%s\",\"train_rows\":%zu,\"valid_rows\":%zu,\"valid\":\"%s\",\"trees\":%d,"
      "\"valid_aucpr\":%.4f,\"seconds\":%.1f}\n",
      o.model.c_str(), report.train_rows, report.valid_rows,
      report.valid_from_train ? "the training file's latest fifth" : o.valid.c_str(), report.rounds,
      report.valid_aucpr, seconds);
  return 0;
}

// What score and evaluate work on: a model and a file of declarations.
struct Scoring {
  std::optional<risk::Model> model;
  std::optional<risk::Dataset> data;
};
// Reads both; the exit code on failure (the reason printed), or 0.
int load(const Options& o, bool need_labels, Scoring& out) {
  if (o.model.empty() || o.file.empty() || !only(o, {"--model"})) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  Result<risk::Model> model = read_model(o.model);
  if (!model.is_ok()) return fail(model.status());
  Result<risk::Dataset> data = read_dataset(o.file, need_labels);
  if (!data.is_ok()) return fail(data.status());
  out.model = std::move(model).value();
  out.data = std::move(data).value();
  return 0;
}

int score(const Options& o) {
  Scoring in;
  if (const int code = load(o, false, in); code != 0) return code;
  const std::optional<risk::Model>& model = in.model;
  const std::optional<risk::Dataset>& data = in.data;
  const std::vector<double> scores = model->score(data->rows);
  std::string out = "Declaration ID,score\n";
  char buffer[32];
  for (size_t i = 0; i < scores.size(); ++i) {
    std::snprintf(buffer, sizeof buffer, ",%.6f\n", scores[i]);
    out += data->rows[i].id + buffer;
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

int evaluate(const Options& o) {
  Scoring in;
  if (const int code = load(o, true, in); code != 0) return code;
  const std::optional<risk::Model>& model = in.model;
  const std::vector<risk::DeclarationRow>& rows = in.data->rows;
  const std::vector<double> p = model->score(rows);
  // What is at stake decides the order: the expected tax recovered.
  std::vector<double> expected(rows.size()), rules(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    expected[i] = p[i] * rows[i].revenue();
    rules[i] = model->encoder.record(rows[i]);
  }
  std::printf("%zu declarations, %zu frauds\n", rows.size(),
              static_cast<size_t>(std::count_if(rows.begin(), rows.end(),
                                                [](const auto& r) { return r.fraud == 1; })));
  std::printf("%-9s %-28s %-28s %-28s %-28s\n", "inspect", "score (probability)",
              "score x tax at stake", "rules alone (records)", "random");
  std::printf("%-9s %-28s %-28s %-28s %-28s\n", "", "precision recall revenue",
              "precision recall revenue", "precision recall revenue", "precision recall revenue");
  for (double rate : {0.01, 0.02, 0.05, 0.10}) {
    const risk::Targeting columns[] = {
        risk::target(rows, p, rate), risk::target(rows, expected, rate),
        risk::target(rows, rules, rate), risk::random_targeting(rows, rate)};
    std::printf("%3.0f %% %-4zu", rate * 100, columns[0].inspected);
    for (const risk::Targeting& t : columns) {
      std::printf(" %9.3f %6.3f %7.3f    ", t.precision, t.recall, t.revenue);
    }
    std::printf("\n");
  }
  return 0;
}

// The figures of one week of a run: inspected, at random, frauds found,
// precision, revenue captured that week and so far.
void print_week(const risk::Simulation& run, size_t w) {
  const risk::WeekFigures& f = run.weeks[w];
  std::printf(" | %5zu %5zu %6zu %6.3f %7.3f %7.3f", f.inspected, f.at_random, f.frauds_found,
              f.precision(), f.revenue_share(), run.revenue_share(0, w + 1));
}

void print_summary(const std::string& label, const risk::Simulation& run, double rate,
                   size_t total) {
  // The last quarter of the weeks: what the zone gets once the learning
  // has settled, where a model that only confirms itself falls behind.
  const size_t last = std::max<size_t>(1, run.weeks.size() / 4);
  const size_t from = run.weeks.size() - last;
  std::printf(
      "summary, %s: %zu inspected, %zu frauds found, precision %.3f, revenue %.3f; "
      "last %zu weeks: precision %.3f, revenue %.3f; ",
      label.c_str(), run.inspected(), run.frauds_found(), run.precision(), run.revenue_share(),
      last, run.precision(from), run.revenue_share(from));
  if (run.has_model) {
    std::printf("final model on all %zu declarations: AUC %.3f, precision at %g %% %.3f; ", total,
                run.final_auc, rate * 100, run.final_precision_at_rate);
  } else {
    std::printf("no model was ever trained; ");
  }
  std::printf("%zu retrainings, %zu skipped\n", run.retrainings, run.skipped);
}

using Runs = std::vector<std::pair<std::string, risk::SimulateOptions>>;

// Two runs side by side: with the random share and without it (one run
// when the share asked for is 0 already).
Runs runs_of(const risk::SimulateOptions& asked) {
  if (asked.random_share == 0) return {{"score alone", asked}};
  char label[64];
  std::snprintf(label, sizeof label, "%g %% at random", asked.random_share * 100);
  risk::SimulateOptions alone = asked;
  alone.random_share = 0;
  return {{label, asked}, {"score alone", alone}};
}

void print_header(const Options& o, size_t rows, const Runs& runs, const risk::Simulation& first) {
  std::printf(
      "%s: %zu declarations in %zu weeks of 7 days from %s; inspecting %g %% a week, "
      "at random for the first %d weeks, retrained after each week (%d rounds of depth %d)\n",
      o.file.c_str(), rows, first.weeks.size(),
      first.weeks.empty() ? "" : first.weeks.front().first_date.c_str(), o.simulate.rate * 100,
      o.simulate.warmup_weeks, o.simulate.rounds, o.simulate.depth);
  std::printf("%-28s", "");
  for (size_t r = 0; r < runs.size(); ++r) {
    std::printf(r + 1 < runs.size() ? " | %-41s" : " | %s", runs[r].first.c_str());
  }
  std::printf("\n%-4s %-10s %12s", "week", "from", "declarations");
  for (size_t r = 0; r < runs.size(); ++r) {
    std::printf(" | %5s %5s %6s %6s %7s %7s", "insp.", "rand.", "frauds", "prec.", "revenue",
                "so far");
  }
  std::printf("\n");
}

int simulate(const Options& o) {
  if (o.file.empty() || !only(o, {"--rate", "--random", "--rounds", "--warmup-weeks"})) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  Result<risk::Dataset> data = read_dataset(o.file, true);
  if (!data.is_ok()) return fail(data.status());
  const std::vector<risk::DeclarationRow>& rows = data->rows;
  const Runs runs = runs_of(o.simulate);
  const bool tty = isatty(STDERR_FILENO) != 0;
  std::vector<risk::Simulation> results;
  for (const auto& [name, options] : runs) {
    // (a pointer, not the binding: clang 14 cannot capture a structured binding)
    Result<risk::Simulation> run =
        risk::simulate(rows, options, [&, run_name = &name](int week, int weeks) {
          if (tty) std::fprintf(stderr, "\r%s: week %d of %d", run_name->c_str(), week, weeks);
        });
    if (tty) std::fputs("\r\033[K", stderr);
    if (!run.is_ok()) return fail(run.status());
    results.push_back(std::move(run).value());
  }
  const risk::Simulation& first = results.front();
  print_header(o, rows.size(), runs, first);
  for (size_t w = 0; w < first.weeks.size(); ++w) {
    std::printf("%4d %-10s %12zu", first.weeks[w].week, first.weeks[w].first_date.c_str(),
                first.weeks[w].declarations);
    for (const risk::Simulation& run : results) print_week(run, w);
    std::printf("\n");
  }
  for (size_t r = 0; r < runs.size(); ++r) {
    print_summary(runs[r].first, results[r], o.simulate.rate, rows.size());
  }
  return 0;
}

}  // namespace
}  // namespace risk_cmd

int risk_command(const Args& args) {
  using namespace risk_cmd;
  if (args.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  Options o;
  if (!parse(Args(args.begin() + 1, args.end()), o)) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  if (args[0] == "train") return train(o);
  if (args[0] == "score") return score(o);
  if (args[0] == "evaluate") return evaluate(o);
  if (args[0] == "labels") {
    if (o.data.empty() || !o.file.empty() || !only(o, {"--data", "--out"})) {
      std::fputs(kUsage, stderr);
      return 2;
    }
    return risk_labels(o.data, o.out);
  }
  if (args[0] == "simulate") return simulate(o);
  std::fputs(kUsage, stderr);
  return 2;
}

}  // namespace zg::cli
