#include "engine/result_store.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace zg {
namespace {

// Texts of a megabyte: eight fill a chunk.
std::string megabyte_text(char c) {
  return std::string(1 << 20, c);
}

TEST(ResultStore, RecentResultsAreReleasedAChunkAtATimeOnceAllInItAreThrough) {
  ResultStore store;
  std::vector<ResultStore::Ref> refs;
  for (uint64_t seq = 1; seq <= 20; ++seq) {
    refs.push_back(store.add_recent(megabyte_text(static_cast<char>('a' + seq % 26)), seq));
  }
  ASSERT_EQ(store.chunks_held(), 3u);  // 8 + 8 + 4
  store.release_through(7);            // the first chunk holds seq 8 too
  EXPECT_TRUE(store.holds(refs[0]));
  store.release_through(8);
  EXPECT_FALSE(store.holds(refs[0]));
  EXPECT_FALSE(store.holds(refs[7]));
  ASSERT_TRUE(store.holds(refs[8]));
  EXPECT_EQ(store.get(refs[8]), megabyte_text('j'));
  EXPECT_EQ(store.bytes(), 12u << 20);
  // The chunk being written stays, whatever is released.
  store.release_through(1000);
  EXPECT_FALSE(store.holds(refs[15]));
  EXPECT_TRUE(store.holds(refs[19]));
  EXPECT_EQ(store.get(refs[19]), megabyte_text('u'));
  EXPECT_EQ(store.chunks_held(), 1u);
  // New results go on after it, under new chunk numbers: an old ref is
  // never taken for a new text.
  for (uint64_t seq = 21; seq <= 40; ++seq) {
    const ResultStore::Ref ref = store.add_recent(megabyte_text('z'), seq);
    EXPECT_TRUE(store.holds(ref));
    EXPECT_EQ(store.get(ref).size(), size_t{1} << 20);
  }
  for (size_t i = 0; i < 16; ++i) EXPECT_FALSE(store.holds(refs[i])) << i;
  EXPECT_FALSE(store.holds(ResultStore::kInJournal));
}

TEST(ResultStore, TextsKeptForGoodAreNeverReleased) {
  ResultStore store;
  const ResultStore::Ref held = store.add("the command of a held declaration");
  for (uint64_t seq = 1; seq <= 20; ++seq) store.add_recent(megabyte_text('r'), seq);
  store.release_through(1000);
  ASSERT_TRUE(store.holds(held));
  EXPECT_EQ(store.get(held), "the command of a held declaration");
}

TEST(ResultStore, APinnedChunkStaysReadableAfterItsRelease) {
  ResultStore store;
  const ResultStore::Ref first = store.add_recent(megabyte_text('p'), 1);
  const std::string_view view = store.get(first);
  std::shared_ptr<const void> pin = store.pin(first);
  for (uint64_t seq = 2; seq <= 30; ++seq) store.add_recent(megabyte_text('q'), seq);
  store.release_through(1000);
  EXPECT_FALSE(store.holds(first));
  // Its memory was not given to the results after it.
  for (uint64_t seq = 31; seq <= 60; ++seq) store.add_recent(megabyte_text('s'), seq);
  EXPECT_EQ(view, megabyte_text('p'));
  // Its last share gone, it takes new results.
  const char* const pinned_memory = view.data();
  pin.reset();
  bool used_again = false;
  for (uint64_t seq = 61; seq <= 68; ++seq) {
    const char* at = store.get(store.add_recent(megabyte_text('t'), seq)).data();
    used_again |= at >= pinned_memory && at < pinned_memory + ResultStore::kChunkBytes;
  }
  EXPECT_TRUE(used_again);
}

TEST(ResultStore, ATextLargerThanAChunkGetsOneOfItsOwn) {
  ResultStore store;
  const std::string big(ResultStore::kChunkBytes + 5, 'b');
  const ResultStore::Ref small = store.add_recent("small", 1);
  const ResultStore::Ref large = store.add_recent(big, 2);
  const ResultStore::Ref after = store.add_recent("after", 3);
  EXPECT_EQ(store.get(small), "small");
  EXPECT_EQ(store.get(large), big);
  EXPECT_EQ(store.get(after), "after");
  EXPECT_EQ(store.chunks_held(), 3u);
  store.release_through(2);
  EXPECT_FALSE(store.holds(large));
  EXPECT_EQ(store.get(after), "after");
}

}  // namespace
}  // namespace zg
