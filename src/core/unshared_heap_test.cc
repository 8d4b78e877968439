// Without jemalloc (this test binary, sanitizer builds) there is no
// unshared arena, and asking for one changes nothing. The zonegate binary's
// use is tested end to end: ServerTest.SnapshotsAreWrittenWhileServing
// checks that a snapshot's child finishes and its file reads back.
#include "core/unshared_heap.h"

#include <gtest/gtest.h>

#include <memory>
#include <thread>

namespace zg {
namespace {

TEST(UnsharedHeap, WithoutJemallocThereIsNoneAndAllocationGoesOn) {
  std::thread thread([] {
    EXPECT_FALSE(unshared_heap::use_for_this_thread());
    unshared_heap::keep_thread_to_its_arena();
    auto block = std::make_unique<char[]>(1 << 20);
    block[0] = 1;
    EXPECT_EQ(block[0], 1);
  });
  thread.join();
}

}  // namespace
}  // namespace zg
