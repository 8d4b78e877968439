// Measured targeting: what inspecting the top few percent of declarations,
// by some priority, would have found — precision (frauds among those
// inspected), recall (share of all frauds found) and revenue captured (the
// tax at stake, Item Price × Tax Rate, of the frauds found, as a share of
// that of all frauds).
#pragma once

#include <vector>

#include "risk/dataset.h"

namespace zg::risk {

struct Targeting {
  double rate = 0;       // the share inspected (0.01 = 1 %)
  size_t inspected = 0;  // declarations
  double precision = 0;
  double recall = 0;
  double revenue = 0;  // share of the frauds' revenue captured
};

// How many of `n` declarations inspecting a share `rate` examines:
// ceil(rate × n), a share that is not a whole number rounding up (the 1e-9
// keeps 0.07 × 100 at 7 despite its binary rounding).
size_t inspections(size_t n, double rate);

// Inspecting the first ceil(rate × n) rows by `priority`, highest first
// (ties: the earlier row first, so the result is deterministic).
Targeting target(const std::vector<DeclarationRow>& rows, const std::vector<double>& priority,
                 double rate);
// What a random selection of that share finds on average (its expectation,
// exactly: precision = the fraud rate, recall = revenue = the share).
Targeting random_targeting(const std::vector<DeclarationRow>& rows, double rate);

}  // namespace zg::risk
