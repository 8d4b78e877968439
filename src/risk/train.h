// Training the learned risk score with XGBoost (Debian's libxgboost-dev, C
// API): gradient-boosted trees on the encoded features (features.h), with
// early stopping on a validation set. The only file that includes XGBoost.
#pragma once

#include <functional>
#include <string>

#include "core/status.h"
#include "risk/dataset.h"
#include "risk/model.h"

namespace zg::risk {

// The defaults keep the forest small enough to score 500,000 declarations
// a second on one core (docs/risk.md): 100 trees of depth 8.
struct TrainOptions {
  int max_rounds = 100;
  int patience = 50;  // rounds without a better validation score before stopping
  double eta = 0.1;
  int max_depth = 8;
  size_t folds = 5;  // out-of-fold target encoding of the training rows
  int threads = 2;
};

struct TrainReport {
  size_t train_rows = 0, valid_rows = 0;
  bool valid_from_train = false;  // no --valid: the training file's latest fifth
  int rounds = 0;                 // trees kept (the best round + 1)
  double valid_aucpr = 0;         // at the best round
};

// `valid` may be null: the latest fifth of `train` by date stops the
// training then. Progress (rounds done, metric) goes to `progress`.
Result<Model> train_model(const Dataset& train, const Dataset* valid, const TrainOptions& options,
                          TrainReport& report,
                          const std::function<void(int round, double aucpr)>& progress);

}  // namespace zg::risk
