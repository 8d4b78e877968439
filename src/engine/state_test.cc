#include "engine/state.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace zg {
namespace {

// A table of declarations at 3, 4, 7, 11, … (gaps as gate commands leave).
DeclarationTable table_of(size_t count) {
  DeclarationTable table;
  uint64_t seq = 3;
  for (size_t i = 0; i < count; ++i) {
    table.add(seq);
    seq += 1 + (i * 7) % 5;
  }
  return table;
}

// The cursor finds what find() finds, whatever order it is asked in.
TEST(DeclarationTableCursor, AgreesWithFindInAnyOrder) {
  for (const size_t count :
       {size_t{0}, size_t{1}, size_t{2}, size_t{1000}, DeclarationTable::kChunkRecords + 1}) {
    const DeclarationTable table = table_of(count);
    const uint64_t top = count == 0 ? 10 : (table.end() - 1)->seq + 3;
    std::vector<uint64_t> rising;
    for (uint64_t seq = 0; seq <= top; ++seq) rising.push_back(seq);
    std::vector<uint64_t> shuffled = rising;
    std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(static_cast<unsigned>(count)));
    // Rising with repeats and a step back now and then, as a book's lots
    // then postings go.
    std::vector<uint64_t> mostly_rising;
    for (uint64_t seq : rising) {
      mostly_rising.push_back(seq);
      if (seq % 17 == 0) mostly_rising.push_back(seq);
      if (seq % 29 == 0) mostly_rising.push_back(seq / 2);
    }
    for (const auto* order : {&rising, &shuffled, &mostly_rising}) {
      DeclarationTable::Cursor cursor(table);
      for (uint64_t seq : *order) {
        ASSERT_EQ(cursor.find(seq), table.find(seq)) << "seq " << seq << " of " << count;
      }
    }
  }
}

TEST(DeclarationTableCursor, FindsNothingAtZeroOrBeyondTheLast) {
  const DeclarationTable table = table_of(5);
  DeclarationTable::Cursor cursor(table);
  EXPECT_EQ(cursor.find(0), nullptr);
  ASSERT_NE(cursor.find(3), nullptr);
  EXPECT_EQ(cursor.find(3)->seq, 3u);
  EXPECT_EQ(cursor.find(1000), nullptr);
  ASSERT_NE(cursor.find(4), nullptr);  // back again, after the end
  EXPECT_EQ(cursor.find(4)->seq, 4u);
}

// Records live in chunks: one added in a new chunk leaves every earlier
// record where it was, and the table reads as one sequence across them.
TEST(DeclarationTable, RecordsStayPutAsChunksAreAdded) {
  DeclarationTable table;
  const size_t count = 2 * DeclarationTable::kChunkRecords + 3;
  std::vector<const DeclarationRecord*> added;
  for (size_t i = 0; i < count; ++i) added.push_back(table.add(10 + 2 * i));
  ASSERT_EQ(table.size(), count);
  EXPECT_EQ(table.add(10), nullptr);  // not above the last
  EXPECT_EQ(table.add(0), nullptr);
  size_t i = 0;
  for (const DeclarationRecord& record : table) {
    ASSERT_EQ(&record, added[i]) << "record " << i;
    ASSERT_EQ(record.seq, 10 + 2 * i);
    ++i;
  }
  EXPECT_EQ(i, count);
  const uint64_t across = 10 + 2 * DeclarationTable::kChunkRecords;  // a chunk's first
  EXPECT_EQ(table.find(across), added[DeclarationTable::kChunkRecords]);
  EXPECT_EQ(table.find(across - 1), nullptr);
  EXPECT_EQ(table.after(across - 1)->seq, across);
  EXPECT_EQ(table.after(across)->seq, across + 2);
  EXPECT_EQ(table.after(10 + 2 * (count - 1)), table.end());
}

// at_or_after() bounds its search by how far sequence numbers can have
// risen: it must agree with a plain binary search whether the table is
// dense (every command a declaration), has gaps of every size, or has one
// gap far wider than the table, and from any starting record.
TEST(DeclarationTable, AtOrAfterAgreesWithABinarySearch) {
  const std::vector<std::vector<uint64_t>> gap_patterns = {
      {1}, {1, 1, 1, 2}, {3, 1, 40, 1, 1, 7}, {1000}, {1, 1, 1, 1, 1, 1, 1, 100000}};
  for (const std::vector<uint64_t>& gaps : gap_patterns) {
    DeclarationTable table;
    uint64_t seq = 5;
    for (size_t i = 0; i < 300; ++i, seq += gaps[i % gaps.size()]) table.add(seq);
    const uint64_t top = (table.end() - 1)->seq + 2;
    std::mt19937 random(static_cast<unsigned>(gaps.size()));
    for (int probe = 0; probe < 5000; ++probe) {
      const auto from = table.begin() + static_cast<std::ptrdiff_t>(random() % (table.size() + 1));
      const uint64_t wanted = random() % (top + 1);
      const auto expected =
          std::lower_bound(from, table.end(), wanted,
                           [](const DeclarationRecord& r, uint64_t s) { return r.seq < s; });
      ASSERT_EQ(table.at_or_after(from, wanted) - table.begin(), expected - table.begin())
          << "seq " << wanted << " from record " << (from - table.begin()) << ", gaps "
          << gaps.front();
    }
    EXPECT_EQ(table.after(UINT64_MAX), table.end());
    EXPECT_EQ(table.at_or_after(table.begin(), UINT64_MAX), table.end());
  }
}

}  // namespace
}  // namespace zg
