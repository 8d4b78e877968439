#include "core/zeroed_table.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
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

// The kernel's flags for the mapping that holds `address` (the VmFlags
// line of /proc/self/smaps: "hg" huge pages asked for, "dc" not copied
// into a forked child), or "" if none holds it.
std::string mapping_flags(const void* address) {
  const auto at = reinterpret_cast<uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t from = 0, to = 0;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> from >> dash >> to && dash == '-') {
      inside = from <= at && at < to;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line + " ";
    }
  }
  return "";
}

TEST(ZeroedTable, ALargeTableAsksForHugePagesAndCanBeKeptFromChildren) {
  // A kernel built without transparent huge pages refuses the hint (the
  // table works without it), and shows no "hg".
  if (!std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled")) {
    GTEST_SKIP() << "this kernel has no transparent huge pages";
  }
  ZeroedTable<uint64_t> shared(kLargeTable);
  const std::string shared_flags = mapping_flags(&shared[0]);
  EXPECT_NE(shared_flags.find(" hg "), std::string::npos) << shared_flags;
  EXPECT_EQ(shared_flags.find(" dc "), std::string::npos) << shared_flags;
  ZeroedTable<uint64_t> kept(kLargeTable, ForkedChildren::kDoNotInherit);
  const std::string kept_flags = mapping_flags(&kept[0]);
  EXPECT_NE(kept_flags.find(" hg "), std::string::npos) << kept_flags;
  EXPECT_NE(kept_flags.find(" dc "), std::string::npos) << kept_flags;
}

}  // namespace
}  // namespace zg
