#include "core/thread_name.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <string>
#include <thread>

namespace zg {
namespace {

std::string name_of_this_thread() {
  char name[16] = {};
  EXPECT_EQ(pthread_getname_np(pthread_self(), name, sizeof name), 0);
  return name;
}

TEST(ThreadName, IsWhatTheThreadIsCalled) {
  std::string seen;
  std::thread([&] {
    name_this_thread("zg-engine");
    seen = name_of_this_thread();
  }).join();
  EXPECT_EQ(seen, "zg-engine");
}

TEST(ThreadName, LongerThanLinuxKeepsIsCutTo15Characters) {
  std::string seen;
  std::thread([&] {
    name_this_thread("zg-a-name-of-twenty-six-ch");
    seen = name_of_this_thread();
  }).join();
  EXPECT_EQ(seen, "zg-a-name-of-tw");
}

}  // namespace
}  // namespace zg
