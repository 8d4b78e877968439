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
  for (const size_t count : {size_t{0}, size_t{1}, size_t{2}, size_t{1000}}) {
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

}  // namespace
}  // namespace zg
