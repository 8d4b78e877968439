// A snapshot names each declaration's result by its command's position:
// found by a cursor in order, and by a map when asked out of order.
#include "engine/result_positions.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace zg {
namespace {

std::vector<CommandIndex::Entry> entries_with_results(std::vector<ResultStore::Ref> results) {
  std::vector<CommandIndex::Entry> entries(results.size());
  for (size_t i = 0; i < results.size(); ++i) entries[i].result = results[i];
  return entries;
}

TEST(ResultPositions, InOrderAForwardCursorFindsEach) {
  // Not every command made a declaration: positions 1 and 3 are skipped.
  const auto applied =
      entries_with_results({{0, 0, 5}, {0, 5, 5}, {0, 10, 5}, {1, 0, 5}, {1, 5, 5}});
  ResultPositions positions(applied);
  EXPECT_EQ(positions.of({0, 0, 5}), 0u);
  EXPECT_EQ(positions.of({0, 10, 5}), 2u);
  EXPECT_EQ(positions.of({1, 5, 5}), 4u);
  EXPECT_FALSE(positions.fell_back());
}

TEST(ResultPositions, OutOfOrderFallsBackToAMapAndStaysRight) {
  const auto applied = entries_with_results({{0, 0, 5}, {0, 5, 5}, {0, 10, 5}, {1, 0, 5}});
  ResultPositions positions(applied);
  EXPECT_EQ(positions.of({0, 10, 5}), 2u);
  EXPECT_EQ(positions.of({0, 5, 5}), 1u);  // behind the cursor
  EXPECT_TRUE(positions.fell_back());
  EXPECT_EQ(positions.of({0, 0, 5}), 0u);
  EXPECT_EQ(positions.of({1, 0, 5}), 3u);
}

TEST(ResultPositions, AResultNoCommandHasIsAnError) {
  const auto applied = entries_with_results({{0, 0, 5}});
  ResultPositions positions(applied);
  EXPECT_THROW(positions.of({7, 0, 5}), std::out_of_range);
}

}  // namespace
}  // namespace zg
