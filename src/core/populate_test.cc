#include "core/populate.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <vector>

namespace zg {
namespace {

size_t page_size() {
  return static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

// How many of the pages of [memory, memory + bytes) are in memory now.
size_t resident_pages(void* memory, size_t bytes) {
  std::vector<unsigned char> in((bytes + page_size() - 1) / page_size());
  if (mincore(memory, bytes, in.data()) != 0) return 0;
  size_t resident = 0;
  for (unsigned char page : in) resident += page & 1;
  return resident;
}

TEST(PopulateForWriting, SuppliesEveryPageOfAFreshMapping) {
  const size_t bytes = 64 * page_size();
  void* mapped = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mapped, MAP_FAILED);
  EXPECT_EQ(resident_pages(mapped, bytes), 0u);
  if (!populate_for_writing(mapped, bytes)) {
    munmap(mapped, bytes);
    GTEST_SKIP() << "this kernel does not supply pages ahead (MADV_POPULATE_WRITE, Linux 5.14)";
  }
  EXPECT_EQ(resident_pages(mapped, bytes), 64u);
  // As zeroed memory, writable.
  const auto* bytes_in = static_cast<const unsigned char*>(mapped);
  EXPECT_EQ(bytes_in[0], 0);
  EXPECT_EQ(bytes_in[bytes - 1], 0);
  std::memset(mapped, 7, bytes);
  munmap(mapped, bytes);
}

// Only whole pages inside the range: the partial ones at its ends are left.
TEST(PopulateForWriting, LeavesPartPagesAtTheEnds) {
  const size_t page = page_size();
  void* mapped =
      mmap(nullptr, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mapped, MAP_FAILED);
  char* memory = static_cast<char*>(mapped);
  EXPECT_TRUE(populate_for_writing(memory + 1, page));  // no whole page inside
  EXPECT_EQ(resident_pages(memory, 4 * page), 0u);
  if (populate_for_writing(memory + 1, 3 * page)) {  // pages 1 and 2
    std::vector<unsigned char> in(4);
    ASSERT_EQ(mincore(memory, 4 * page, in.data()), 0);
    EXPECT_EQ(in[0] & 1, 0);
    EXPECT_EQ(in[1] & 1, 1);
    EXPECT_EQ(in[2] & 1, 1);
    EXPECT_EQ(in[3] & 1, 0);
  }
  munmap(mapped, 4 * page);
}

// Memory already written keeps what was written.
TEST(PopulateForWriting, KeepsWhatIsThere) {
  std::vector<char> buffer(16 * page_size());
  for (size_t i = 0; i < buffer.size(); ++i) buffer[i] = static_cast<char>(i % 251);
  populate_for_writing(buffer.data() + 3, buffer.size() - 7);
  for (size_t i = 0; i < buffer.size(); ++i) {
    ASSERT_EQ(buffer[i], static_cast<char>(i % 251)) << i;
  }
}

}  // namespace
}  // namespace zg
