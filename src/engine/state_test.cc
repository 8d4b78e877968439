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
    // The reference is a plain binary search: find() and the cursor share
    // DeclarationTable::at_or_after.
    const auto reference = [&table](uint64_t seq) -> const DeclarationRecord* {
      const auto it =
          std::lower_bound(table.begin(), table.end(), seq,
                           [](const DeclarationRecord& r, uint64_t s) { return r.seq < s; });
      return it != table.end() && it->seq == seq && seq != 0 ? &*it : nullptr;
    };
    for (const auto* order : {&rising, &shuffled, &mostly_rising}) {
      DeclarationTable::Cursor cursor(table);
      for (uint64_t seq : *order) {
        ASSERT_EQ(cursor.find(seq), reference(seq)) << "seq " << seq << " of " << count;
        ASSERT_EQ(table.find(seq), reference(seq)) << "seq " << seq << " of " << count;
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

// at_or_after() guesses a record's place from the density of the
// sequence numbers after `from`, then widens a window from the guess: it
// must agree with a plain binary search whatever the spacing (even, mixed,
// a few wide gaps among narrow ones, sparse then dense), at any size
// (empty, one record, across chunks), near the top of the range (where
// the guess's product needs 128 bits: the guess sets only the search's
// length, so this checks the answer there, not the arithmetic), and from
// any starting record.
TEST(DeclarationTable, AtOrAfterAgreesWithABinarySearch) {
  struct Case {
    const char* name;
    uint64_t first;
    std::vector<uint64_t> gaps;  // repeated
    size_t count;
    std::vector<uint64_t> then_gaps = {};  // after half the records, if any
  };
  const uint64_t kHuge = uint64_t{1} << 50;  // 299 of them times 299 records: over 2^64
  const std::vector<Case> cases = {
      {"empty", 5, {1}, 0},
      {"one record", 5, {1}, 1},
      {"every command", 5, {1}, 300},
      {"one in three", 5, {3}, 300},
      {"mixed", 5, {3, 1, 40, 1, 1, 7}, 300},
      {"wide gaps now and then", 5, {1, 1, 1, 1, 1, 1, 1, 100000}, 300},
      {"sparse then dense", 5, {1000}, 300, {1}},
      {"dense then sparse", 5, {1}, 300, {1000}},
      {"across chunks", 1, {1, 2}, DeclarationTable::kChunkRecords * 2 + 5},
      {"near the top", UINT64_MAX - 299 * kHuge - 7, {kHuge}, 300},
      {"ending at the top", UINT64_MAX - 299 * 3, {3}, 300},
  };
  for (const Case& c : cases) {
    DeclarationTable table;
    uint64_t seq = c.first;
    for (size_t i = 0; i < c.count; ++i) {
      ASSERT_NE(table.add(seq), nullptr) << c.name;
      const std::vector<uint64_t>& gaps =
          c.then_gaps.empty() || i < c.count / 2 ? c.gaps : c.then_gaps;
      if (i + 1 < c.count) seq += gaps[i % gaps.size()];
    }
    const uint64_t top = c.count == 0 ? 10 : (table.end() - 1)->seq;
    // The sequence numbers asked for: each record's, one either side, the
    // extremes, and random ones up to the top.
    std::vector<uint64_t> wanted = {0, 1, UINT64_MAX - 1, UINT64_MAX};
    for (const DeclarationRecord& r : table) {
      for (const uint64_t s : {r.seq - 1, r.seq, r.seq + 1}) wanted.push_back(s);
    }
    std::mt19937_64 random(c.count);
    for (int i = 0; i < 2000; ++i) wanted.push_back(random() % top + 1);
    for (int probe = 0; probe < 20000; ++probe) {
      const size_t from_at = random() % (table.size() + 1);
      const auto from = table.begin() + static_cast<std::ptrdiff_t>(from_at);
      const uint64_t s = wanted[random() % wanted.size()];
      const auto expected = std::lower_bound(
          from, table.end(), s, [](const DeclarationRecord& r, uint64_t v) { return r.seq < v; });
      ASSERT_EQ(table.at_or_after(from, s) - table.begin(), expected - table.begin())
          << c.name << ": seq " << s << " from record " << from_at;
    }
    EXPECT_EQ(table.after(UINT64_MAX), table.end()) << c.name;
  }
}

}  // namespace
}  // namespace zg
