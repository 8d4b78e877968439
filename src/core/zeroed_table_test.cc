#include "core/zeroed_table.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>

namespace zg {
namespace {

// Below and above the size from which a table gets a mapping of its own.
constexpr size_t kSmallTable = 16;
constexpr size_t kLargeTable = zeroed_memory::kMappedBytes / sizeof(uint64_t) * 3;

TEST(ZeroedTable, StartsZeroedWhateverItsSize) {
  for (size_t n : {kSmallTable, kLargeTable}) {
    ZeroedTable<uint64_t> table(n);
    ASSERT_EQ(table.size(), n);
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(table[i], 0u) << "element " << i << " of " << n;
  }
  EXPECT_TRUE(ZeroedTable<uint64_t>().empty());
  EXPECT_TRUE(ZeroedTable<uint64_t>(0).empty());
}

TEST(ZeroedTable, AMoveTakesTheElementsAndLeavesTheSourceEmpty) {
  for (size_t n : {kSmallTable, kLargeTable}) {
    ZeroedTable<uint64_t> table(n);
    table[0] = 7;
    table[n - 1] = 9;
    ZeroedTable<uint64_t> moved(std::move(table));
    EXPECT_TRUE(table.empty());  // NOLINT(bugprone-use-after-move): its state is the point
    ASSERT_EQ(moved.size(), n);
    EXPECT_EQ(moved[0], 7u);
    EXPECT_EQ(moved[n - 1], 9u);
    ZeroedTable<uint64_t> assigned(kSmallTable);
    assigned = std::move(moved);  // the small one it held is given back
    EXPECT_TRUE(moved.empty());   // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(assigned[n - 1], 9u);
  }
}

}  // namespace
}  // namespace zg
