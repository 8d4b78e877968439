#include "risk/targeting.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace zg::risk {
namespace {

struct Totals {
  size_t frauds = 0;
  double revenue = 0;
};

Totals totals(const std::vector<DeclarationRow>& rows) {
  Totals t;
  for (const DeclarationRow& r : rows) {
    if (r.fraud != 1) continue;
    ++t.frauds;
    t.revenue += r.revenue();
  }
  return t;
}

}  // namespace

size_t inspections(size_t n, double rate) {
  return std::min(n, static_cast<size_t>(std::ceil(rate * static_cast<double>(n) - 1e-9)));
}

Targeting target(const std::vector<DeclarationRow>& rows, const std::vector<double>& priority,
                 double rate) {
  Targeting t;
  t.rate = rate;
  t.inspected = inspections(rows.size(), rate);
  std::vector<size_t> order(rows.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return priority[a] > priority[b]; });
  size_t found = 0;
  double revenue = 0;
  for (size_t k = 0; k < t.inspected; ++k) {
    const DeclarationRow& r = rows[order[k]];
    if (r.fraud != 1) continue;
    ++found;
    revenue += r.revenue();
  }
  const Totals all = totals(rows);
  t.precision =
      t.inspected == 0 ? 0 : static_cast<double>(found) / static_cast<double>(t.inspected);
  t.recall = all.frauds == 0 ? 0 : static_cast<double>(found) / static_cast<double>(all.frauds);
  t.revenue = all.revenue <= 0 ? 0 : revenue / all.revenue;
  return t;
}

Targeting random_targeting(const std::vector<DeclarationRow>& rows, double rate) {
  Targeting t;
  t.rate = rate;
  t.inspected = inspections(rows.size(), rate);
  const Totals all = totals(rows);
  const double share =
      rows.empty() ? 0 : static_cast<double>(t.inspected) / static_cast<double>(rows.size());
  t.precision =
      rows.empty() ? 0 : static_cast<double>(all.frauds) / static_cast<double>(rows.size());
  t.recall = share;
  t.revenue = share;
  return t;
}

}  // namespace zg::risk
