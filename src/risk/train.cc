#include "risk/train.h"

#include <omp.h>
#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
#include <memory>

namespace zg::risk {
namespace {

Status xgboost_error(const char* what) {
  return Status(ErrorCode::kIoError, "", std::string("XGBoost ") + what + ": " + XGBGetLastError());
}

struct Matrix {
  DMatrixHandle handle = nullptr;
  ~Matrix() {
    if (handle != nullptr) XGDMatrixFree(handle);
  }
};
struct Booster {
  BoosterHandle handle = nullptr;
  ~Booster() {
    if (handle != nullptr) XGBoosterFree(handle);
  }
};

// XGBoost's nthread bounds its trees, not all its work: the AUC-PR metric
// sorts with libstdc++'s parallel mode on omp_get_max_threads() threads. On
// a busy machine their idle threads spin, and a run of many small trainings
// (risk simulate on train.csv) took 30-60 s instead of 5. This bounds
// OpenMP for the training's time and puts the bound back.
class OpenMpThreads {
 public:
  explicit OpenMpThreads(int threads) : before_(omp_get_max_threads()) {
    omp_set_num_threads(threads);
  }
  ~OpenMpThreads() { omp_set_num_threads(before_); }
  OpenMpThreads(const OpenMpThreads&) = delete;
  OpenMpThreads& operator=(const OpenMpThreads&) = delete;

 private:
  int before_;
};

Status make_matrix(const std::vector<float>& x, const std::vector<DeclarationRow>& rows,
                   Matrix& out) {
  const auto n = static_cast<bst_ulong>(rows.size());
  if (XGDMatrixCreateFromMat(x.data(), n, static_cast<bst_ulong>(Encoder::feature_count()),
                             std::nanf(""), &out.handle) != 0) {
    return xgboost_error("could not take the features");
  }
  std::vector<float> labels;
  labels.reserve(rows.size());
  for (const DeclarationRow& r : rows) labels.push_back(static_cast<float>(r.fraud));
  if (XGDMatrixSetFloatInfo(out.handle, "label", labels.data(), n) != 0) {
    return xgboost_error("could not take the labels");
  }
  return Status::ok();
}

// "[12]\ttrain-aucpr:0.91\tvalid-aucpr:0.85" -> 0.85
double last_metric(const char* text) {
  const std::string s(text);
  const size_t colon = s.rfind(':');
  return colon == std::string::npos ? 0 : std::strtod(s.c_str() + colon + 1, nullptr);
}

}  // namespace

Result<Model> train_model(const Dataset& train, const Dataset* valid, const TrainOptions& options,
                          TrainReport& report,
                          const std::function<void(int round, double aucpr)>& progress) {
  if (!train.labelled || train.rows.empty()) {
    return Result<Model>(ErrorCode::kInvalidField, "", "the training set is empty");
  }
  // Without a validation file, the latest fifth (by date) stops the training.
  std::vector<DeclarationRow> fit_rows, stop_rows;
  if (valid != nullptr) {
    fit_rows = train.rows;
    stop_rows = valid->rows;
  } else {
    std::vector<DeclarationRow> sorted = train.rows;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.date < b.date; });
    const size_t cut = sorted.size() - sorted.size() / 5;
    fit_rows.assign(sorted.begin(), sorted.begin() + static_cast<long>(cut));
    stop_rows.assign(sorted.begin() + static_cast<long>(cut), sorted.end());
    report.valid_from_train = true;
  }
  if (fit_rows.empty() || stop_rows.empty()) {
    return Result<Model>(ErrorCode::kInvalidField, "",
                         "too few declarations to train and validate (give --valid)");
  }
  for (const auto* rows : {&fit_rows, &stop_rows}) {
    const size_t frauds = static_cast<size_t>(std::count_if(
        rows->begin(), rows->end(), [](const DeclarationRow& r) { return r.fraud == 1; }));
    if (frauds == 0 || frauds == rows->size()) {
      return Result<Model>(ErrorCode::kInvalidField, "",
                           std::string(rows == &fit_rows ? "the training" : "the validation") +
                               " declarations are all of one label; both 0 and 1 are needed");
    }
  }
  report.train_rows = fit_rows.size();
  report.valid_rows = stop_rows.size();
  const OpenMpThreads bound(options.threads);

  std::vector<size_t> all(fit_rows.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  // The validation rows are encoded with the histories of the rows trained
  // on, as new declarations will be.
  Model model{Encoder::fit(fit_rows, all), Forest{}};
  Matrix dtrain, dvalid;
  if (Status s = make_matrix(encode_out_of_fold(fit_rows, options.folds), fit_rows, dtrain);
      !s.is_ok()) {
    return s;
  }
  if (Status s = make_matrix(encode_all(model.encoder, stop_rows), stop_rows, dvalid); !s.is_ok()) {
    return s;
  }
  Booster booster;
  DMatrixHandle both[2] = {dtrain.handle, dvalid.handle};
  if (XGBoosterCreate(both, 2, &booster.handle) != 0) return xgboost_error("could not start");
  const std::string eta = std::to_string(options.eta), depth = std::to_string(options.max_depth),
                    threads = std::to_string(options.threads);
  const std::pair<const char*, const char*> params[] = {{"objective", "binary:logistic"},
                                                        {"eval_metric", "aucpr"},
                                                        {"tree_method", "hist"},
                                                        {"eta", eta.c_str()},
                                                        {"max_depth", depth.c_str()},
                                                        {"subsample", "0.8"},
                                                        {"colsample_bytree", "0.8"},
                                                        {"min_child_weight", "1"},
                                                        {"base_score", "0.5"},
                                                        {"nthread", threads.c_str()},
                                                        {"seed", "7"},
                                                        {"verbosity", "0"}};
  for (const auto& [key, value] : params) {
    if (XGBoosterSetParam(booster.handle, key, value) != 0) return xgboost_error(key);
  }
  const char* names[2] = {"train", "valid"};
  double best = -1;
  int best_round = 0;
  for (int round = 0; round < options.max_rounds && round - best_round <= options.patience;
       ++round) {
    if (XGBoosterUpdateOneIter(booster.handle, round, dtrain.handle) != 0) {
      return xgboost_error("could not train");
    }
    const char* evaluation = nullptr;
    if (XGBoosterEvalOneIter(booster.handle, round, both, names, 2, &evaluation) != 0) {
      return xgboost_error("could not evaluate");
    }
    const double metric = last_metric(evaluation);
    if (metric > best) {
      best = metric;
      best_round = round;
    }
    if (progress) progress(round + 1, metric);
  }
  report.rounds = best_round + 1;
  report.valid_aucpr = best;

  // The trees, as XGBoost dumps them; the best round's first.
  bst_ulong count = 0;
  const char** dump = nullptr;
  if (XGBoosterDumpModelEx(booster.handle, "", 0, "json", &count, &dump) != 0) {
    return xgboost_error("could not dump its trees");
  }
  for (bst_ulong t = 0; t < count && static_cast<int>(t) < report.rounds; ++t) {
    if (Status s = model.forest.add_xgboost_tree(dump[t]); !s.is_ok()) return s;
  }
  model.forest.set_base_margin(0);  // base_score 0.5: a margin of 0

  // The forest must score as XGBoost does: checked on the validation rows.
  const std::string config = R"({"type": 0, "training": false, "iteration_begin": 0,
      "iteration_end": )" + std::to_string(report.rounds) +
                             R"(, "strict_shape": false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* predicted = nullptr;
  if (XGBoosterPredictFromDMatrix(booster.handle, dvalid.handle, config.c_str(), &shape, &dims,
                                  &predicted) != 0) {
    return xgboost_error("could not predict");
  }
  const std::vector<float> x = encode_all(model.encoder, stop_rows);
  std::vector<double> ours(stop_rows.size());
  model.forest.probabilities(x.data(), stop_rows.size(), Encoder::feature_count(), ours.data());
  for (size_t i = 0; i < stop_rows.size(); ++i) {
    if (std::abs(ours[i] - static_cast<double>(predicted[i])) > 1e-4) {
      return Result<Model>(ErrorCode::kIoError, "",
                           "the forest scores validation row " + std::to_string(i + 1) + " " +
                               std::to_string(ours[i]) + ", XGBoost " +
                               std::to_string(predicted[i]) + ": the trees were not read right");
    }
  }
  // The model keeps the histories of every training declaration (without
  // --valid, the latest fifth too), so the newest traders are known.
  if (report.valid_from_train) {
    std::vector<size_t> every(train.rows.size());
    for (size_t i = 0; i < every.size(); ++i) every[i] = i;
    model.encoder = Encoder::fit(train.rows, every);
  }
  return model;
}

}  // namespace zg::risk
