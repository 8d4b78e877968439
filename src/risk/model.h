// The learned risk score: the feature encoder (the training declarations'
// histories) and the boosted forest, in one text file:
//
//   zonegate risk model 1
//   features <n> <name> ...
//   <the encoder: prior, each category's values with counts and frauds,
//    the HS codes' median unit values>
//   <the forest: roots and nodes, numbers as hex floats, exact>
//
// A model scores without XGBoost (forest.h), so the engine and `zonegate
// risk score` need only this file.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "risk/dataset.h"
#include "risk/features.h"
#include "risk/forest.h"

namespace zg::risk {

struct Model {
  Encoder encoder;
  Forest forest;

  std::string text() const;
  static Result<Model> parse(std::string_view text);

  // The probability of fraud of each row.
  std::vector<double> score(const std::vector<DeclarationRow>& rows) const;
};

}  // namespace zg::risk
