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

}  // namespace
}  // namespace zg
