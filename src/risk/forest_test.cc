#include "risk/forest.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace zg::risk {
namespace {

// XGBoost's JSON dump of a tree: f0 < 1 (missing goes right, "no"), then
// on the left f1 < 5 (missing left).
constexpr const char* kTree = R"({"nodeid":0,"depth":0,"split":"f0","split_condition":1,
  "yes":1,"no":2,"missing":2,"children":[
   {"nodeid":1,"depth":1,"split":"f1","split_condition":5,"yes":3,"no":4,"missing":3,
    "children":[{"nodeid":3,"leaf":-1.5},{"nodeid":4,"leaf":0.25}]},
   {"nodeid":2,"leaf":2}]})";
constexpr const char* kStump = R"({"nodeid":0,"leaf":0.5})";

double logistic(double m) {
  return 1 / (1 + std::exp(-m));
}

TEST(Forest, WalksTreesAsXGBoostDoes) {
  Forest forest;
  ASSERT_TRUE(forest.add_xgboost_tree(kTree).is_ok());
  ASSERT_TRUE(forest.add_xgboost_tree(kStump).is_ok());
  EXPECT_EQ(forest.depth(), 2);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float cases[][2] = {{0, 0}, {0, 9}, {3, 0}, {nan, 0}, {0, nan}};
  const double expected[] = {-1.5 + 0.5, 0.25 + 0.5, 2 + 0.5, 2 + 0.5, -1.5 + 0.5};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_NEAR(forest.probability(cases[i]), logistic(expected[i]), 1e-6) << i;
  }
  // The same in a batch, and after a round trip through the model file.
  std::string text;
  forest.write(text);
  std::string_view in = text;
  Result<Forest> read = Forest::read(in, 2);
  ASSERT_TRUE(read.is_ok()) << read.status().first().message;
  double batch[5];
  read->probabilities(&cases[0][0], 5, 2, batch);
  for (size_t i = 0; i < 5; ++i) EXPECT_NEAR(batch[i], logistic(expected[i]), 1e-6) << i;
}

// A deeper tree after shallower ones re-lays them: scores do not change.
TEST(Forest, ADeeperTreeKeepsTheShallowerOnesScores) {
  Forest forest;
  ASSERT_TRUE(forest.add_xgboost_tree(kStump).is_ok());
  ASSERT_TRUE(forest
                  .add_xgboost_tree(R"({"nodeid":0,"split":"f0","split_condition":1,"yes":1,
    "no":2,"missing":1,"children":[{"nodeid":1,"leaf":1},{"nodeid":2,"leaf":-1}]})")
                  .is_ok());
  EXPECT_EQ(forest.depth(), 1);
  ASSERT_TRUE(forest.add_xgboost_tree(kTree).is_ok());
  EXPECT_EQ(forest.depth(), 2);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float cases[][2] = {{0, 0}, {0, 9}, {3, 0}, {nan, 0}, {0, nan}};
  const double second[] = {1, 1, -1, 1, 1};
  const double third[] = {-1.5, 0.25, 2, 2, -1.5};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_NEAR(forest.probability(cases[i]), logistic(0.5 + second[i] + third[i]), 1e-6) << i;
  }
}

TEST(Forest, RefusesDamagedFilesAndTrees) {
  Forest forest;
  ASSERT_TRUE(forest.add_xgboost_tree(kTree).is_ok());
  std::string text;
  forest.write(text);
  std::string_view in = text;
  EXPECT_FALSE(Forest::read(in, 1).is_ok());  // a split on feature 1 of 1
  std::string truncated = text.substr(0, text.size() / 2);
  in = truncated;
  EXPECT_FALSE(Forest::read(in, 2).is_ok());
  std::string header = "forest 1 99 0x0p+0\n";
  in = header;
  EXPECT_FALSE(Forest::read(in, 2).is_ok());
  // A header promising more than the file holds is refused before anything
  // is allocated; a leaf that is not a finite number is refused.
  header = "forest 100000 8 0x0p+0\n0 0x1p+0 1\n";
  in = header;
  EXPECT_FALSE(Forest::read(in, 2).is_ok());
  std::string nan_leaf = text.substr(0, text.rfind('\n', text.size() - 2) + 1) + "nan\n";
  in = nan_leaf;
  EXPECT_FALSE(Forest::read(in, 2).is_ok());
  EXPECT_FALSE(forest.add_xgboost_tree(R"({"nodeid":0,"split":"g0"})").is_ok());
  EXPECT_FALSE(forest.add_xgboost_tree("not json").is_ok());
  EXPECT_EQ(forest.trees(), 1u);  // the refused trees left nothing behind
}

}  // namespace
}  // namespace zg::risk
