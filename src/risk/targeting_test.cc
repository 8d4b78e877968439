#include "risk/targeting.h"

#include <gtest/gtest.h>

namespace zg::risk {
namespace {

// Ten declarations; frauds at 0, 1 and 5 with taxes at stake 100, 10 and 890.
std::vector<DeclarationRow> ten() {
  std::vector<DeclarationRow> rows(10);
  for (size_t i = 0; i < rows.size(); ++i) {
    rows[i].tax_rate = 10;
    rows[i].item_price = 100;
    rows[i].fraud = 0;
  }
  rows[0].fraud = rows[1].fraud = rows[5].fraud = 1;
  rows[0].item_price = 1000;
  rows[5].item_price = 8900;
  return rows;
}

TEST(Targeting, CountsWhatTheTopFindsAndTheirRevenue) {
  const std::vector<DeclarationRow> rows = ten();
  // Priorities put 5, then 3, then 0 first.
  std::vector<double> priority(10, 0.0);
  priority[5] = 0.9;
  priority[3] = 0.8;
  priority[0] = 0.7;
  const Targeting one = target(rows, priority, 0.10);  // 1 of 10
  EXPECT_EQ(one.inspected, 1u);
  EXPECT_DOUBLE_EQ(one.precision, 1.0);
  EXPECT_DOUBLE_EQ(one.recall, 1.0 / 3);
  EXPECT_DOUBLE_EQ(one.revenue, 890.0 / 1000);
  const Targeting three = target(rows, priority, 0.30);
  EXPECT_EQ(three.inspected, 3u);
  EXPECT_DOUBLE_EQ(three.precision, 2.0 / 3);
  EXPECT_DOUBLE_EQ(three.revenue, 990.0 / 1000);
  // A share that is not a whole number of declarations rounds up.
  EXPECT_EQ(target(rows, priority, 0.15).inspected, 2u);
}

TEST(Targeting, TiesGoToTheEarlierDeclaration) {
  const std::vector<DeclarationRow> rows = ten();
  const Targeting t = target(rows, std::vector<double>(10, 0.5), 0.2);
  EXPECT_DOUBLE_EQ(t.precision, 1.0);  // rows 0 and 1
}

TEST(Targeting, RandomIsItsExpectation) {
  const Targeting t = random_targeting(ten(), 0.2);
  EXPECT_EQ(t.inspected, 2u);
  EXPECT_DOUBLE_EQ(t.precision, 0.3);
  EXPECT_DOUBLE_EQ(t.recall, 0.2);
  EXPECT_DOUBLE_EQ(t.revenue, 0.2);
}

}  // namespace
}  // namespace zg::risk
