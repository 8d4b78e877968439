#include "core/stable_vector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace zg {
namespace {

// Chunks of four: every few elements start a new one.
TEST(StableVector, ElementsStayWhereTheyWereAcrossChunks) {
  StableVector<int, 2> v;
  EXPECT_TRUE(v.empty());
  std::vector<const int*> addresses;
  for (int i = 0; i < 19; ++i) {
    v.push_back(i * 10);
    addresses.push_back(&v.back());
  }
  ASSERT_EQ(v.size(), 19u);
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_EQ(&v[i], addresses[i]) << i;
    EXPECT_EQ(v[i], static_cast<int>(i) * 10);
  }
  // A random-access sequence for the standard algorithms.
  EXPECT_EQ(v.end() - v.begin(), 19);
  EXPECT_EQ(*std::lower_bound(v.begin(), v.end(), 95), 100);
  EXPECT_EQ(std::upper_bound(v.begin(), v.end(), 180), v.end());
  EXPECT_EQ((v.begin() + 7)[2], 90);
  int sum = 0;
  for (int x : v) sum += x;
  EXPECT_EQ(sum, 10 * (18 * 19 / 2));
}

TEST(StableVector, AnElementOfAClassComesAsItsInitializersMakeIt) {
  struct Record {
    std::string name = "none";
    int count = 7;
  };
  StableVector<Record, 1> v;
  v.reserve(5);
  for (int i = 0; i < 5; ++i) {
    Record& r = v.emplace_back();
    EXPECT_EQ(r.name, "none");
    EXPECT_EQ(r.count, 7);
    r.name = std::to_string(i);
  }
  EXPECT_EQ(v[3].name, "3");
}

// Every element of every chunk is made once and destroyed once, the ones
// not yet handed out included (a chunk is made whole).
TEST(StableVector, EveryElementMadeIsDestroyed) {
  static int alive = 0;
  struct Counted {
    std::string text = std::string(40, 'x');  // on the heap: a leak shows under ASan
    Counted() { ++alive; }
    ~Counted() { --alive; }
  };
  {
    StableVector<Counted, 2> v;
    for (int i = 0; i < 9; ++i) v.emplace_back().text += std::to_string(i);
    EXPECT_EQ(alive, 12);  // three chunks of four
    EXPECT_EQ(v[8].text, std::string(40, 'x') + "8");
  }
  EXPECT_EQ(alive, 0);
}

}  // namespace
}  // namespace zg
