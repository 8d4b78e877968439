#include "engine/command_index.h"

#include <gtest/gtest.h>

#include <string>
#include <unordered_map>

namespace zg {
namespace {

std::array<unsigned char, 32> digest_of(size_t n) {
  std::array<unsigned char, 32> digest{};
  for (size_t i = 0; i < digest.size(); ++i) digest[i] = static_cast<unsigned char>(n >> (i % 8));
  return digest;
}

// Against a std::unordered_map as the model: every id added is found with
// its own digest and result, every other id is not, through many rehashes.
TEST(CommandIndex, FindsWhatWasAddedAndNothingElse) {
  for (const bool reserved : {false, true}) {
    CommandIndex index;
    if (reserved) index.reserve(5000);
    std::unordered_map<std::string, size_t> model;
    for (size_t n = 0; n < 20000; ++n) {
      // 7,000 distinct ids, most of them sent again later.
      const std::string id = (n % 3 == 0 ? "d-" : "gate-") + std::to_string(n * 7919 % 7001);
      const bool fresh = model.emplace(id, n).second;
      ASSERT_EQ(
          index.add(id, digest_of(n), n + 1, ResultStore::Ref{1, static_cast<uint32_t>(n), 2}),
          fresh)
          << id;
    }
    ASSERT_EQ(index.size(), model.size());
    for (const auto& [id, n] : model) {
      const CommandIndex::Entry* entry = index.find(id);
      ASSERT_NE(entry, nullptr) << id;
      EXPECT_EQ(index.id(*entry), id);
      EXPECT_EQ(entry->digest, digest_of(n));
      EXPECT_EQ(entry->result.offset, n);
      EXPECT_EQ(entry->seq, n + 1);
    }
    for (const std::string absent : {"", "d-", "d-7001", "gate-1 ", "D-0"}) {
      EXPECT_FALSE(index.contains(absent)) << absent;
    }
  }
}

TEST(CommandIndex, AnEmptyIndexFindsNothing) {
  CommandIndex index;
  EXPECT_EQ(index.find("e-1"), nullptr);
  EXPECT_FALSE(index.contains(""));
  index.reserve(100);
  EXPECT_EQ(index.find("e-1"), nullptr);
  EXPECT_EQ(index.size(), 0u);
}

TEST(CommandIndex, AnIdAddedTwiceKeepsItsFirstEntry) {
  CommandIndex index;
  ASSERT_TRUE(index.add("e-1", digest_of(1), 1, ResultStore::Ref{0, 10, 5}));
  EXPECT_FALSE(index.add("e-1", digest_of(2), 2, ResultStore::Ref{0, 20, 5}));
  ASSERT_EQ(index.size(), 1u);
  EXPECT_EQ(index.find("e-1")->digest, digest_of(1));
  EXPECT_EQ(index.find("e-1")->result.offset, 10u);
  EXPECT_EQ(index.find("e-1")->seq, 1u);
}

TEST(CommandIndex, KeepsEntriesInTheOrderAdded) {
  CommandIndex index;
  const char* ids[] = {"zeta", "alpha", "m-3", "m-20", "m-100"};
  for (size_t n = 0; n < 5; ++n) index.add(ids[n], digest_of(n), n + 1, ResultStore::kInJournal);
  ASSERT_EQ(index.entries().size(), 5u);
  for (size_t n = 0; n < 5; ++n) EXPECT_EQ(index.id(index.entries()[n]), ids[n]);
}

}  // namespace
}  // namespace zg
