#include "core/thread_name.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <string>
#include <thread>

namespace zg {
namespace {

// The name a fresh thread has after naming itself `name`.
std::string name_seen_after(const char* name) {
  std::string seen;
  std::thread([&] {
    name_this_thread(name);
    char buffer[16] = {};
    EXPECT_EQ(pthread_getname_np(pthread_self(), buffer, sizeof buffer), 0);
    seen = buffer;
  }).join();
  return seen;
}

TEST(ThreadName, IsWhatTheThreadIsCalled) {
  EXPECT_EQ(name_seen_after("zg-engine"), "zg-engine");
}

TEST(ThreadName, LongerThanLinuxKeepsIsCutTo15Characters) {
  EXPECT_EQ(name_seen_after("zg-a-name-of-twenty-six-ch"), "zg-a-name-of-tw");
}

}  // namespace
}  // namespace zg
