// zonegate risk: the learned risk score (docs/risk.md).
//
//   zonegate risk train --train FILE.csv [--valid FILE.csv] --model OUT [--rounds N] [--depth D]
//                       [--eta E]
//   zonegate risk score --model M FILE.csv          # "Declaration ID,score" per row
//   zonegate risk evaluate --model M FILE.csv       # targeting at 1, 2, 5 and 10 %
//   zonegate risk labels --data DIR [--out FILE.csv] # the zone's inspected declarations
//
// Files are in the column format of ../shared/data/customs-declarations/.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>

#include "cli/commands.h"
#include "cli/risk_labels.h"
#include "core/durable_file.h"
#include "risk/model.h"
#include "risk/targeting.h"
#include "risk/train.h"

namespace zg::cli {
namespace {

constexpr const char* kUsage =
    "usage: zonegate risk train --train FILE.csv [--valid FILE.csv] --model OUT\n"
    "                           [--rounds N (100)] [--depth D (8)] [--eta E (0.1)]\n"
    "       zonegate risk score --model MODEL FILE.csv\n"
    "       zonegate risk evaluate --model MODEL FILE.csv\n"
    "       zonegate risk labels --data DIR [--out FILE.csv]\n";

struct Options {
  std::string train, valid, model, file, data, out;
  risk::TrainOptions options;
};

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
    } else if (a == "--eta" || a == "--depth" || a == "--rounds") {
      char* end = nullptr;
      const double n = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0') return false;
      if (a == "--eta") {
        if (!(n > 0 && n <= 1)) return false;
        o.options.eta = n;
      } else if (a == "--depth") {
        if (n < 1 || n > risk::Forest::kMaxDepth || n != std::floor(n)) return false;
        o.options.max_depth = static_cast<int>(n);
      } else {
        if (n < 1 || n > 10'000 || n != std::floor(n)) return false;
        o.options.max_rounds = static_cast<int>(n);
      }
    } else {
      return false;
    }
  }
  return true;
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
  if (o.train.empty() || o.model.empty() || !o.file.empty()) {
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
  if (o.model.empty() || o.file.empty() || !o.train.empty() || !o.valid.empty()) {
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

}  // namespace

int risk_command(const Args& args) {
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
    if (o.data.empty() || !o.file.empty() || !o.model.empty() || !o.train.empty()) {
      std::fputs(kUsage, stderr);
      return 2;
    }
    return risk_labels(o.data, o.out);
  }
  std::fputs(kUsage, stderr);
  return 2;
}

}  // namespace zg::cli
