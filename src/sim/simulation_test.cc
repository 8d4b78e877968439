#include "sim/simulation.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "policy/pack_loader.h"

namespace zg::sim {
namespace {

class SimulationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<PolicyPack> loaded = load_policy_pack(std::string(ZG_SOURCE_DIR) + "/policies/hengqin");
    ASSERT_TRUE(loaded.is_ok());
    pack_ = std::move(loaded).value();
    options_.pack_dir = std::string(ZG_SOURCE_DIR) + "/policies/hengqin";
    // A directory of this test's own: tests run in parallel, and seeds' names repeat.
    std::string dir = ::testing::TempDir() + "zg-sim-test-XXXXXX";
    ASSERT_NE(mkdtemp(dir.data()), nullptr);
    options_.scratch_dir = dir;
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(options_.scratch_dir, ignored);
  }
  PolicyPack pack_;
  SimOptions options_;
};

TEST_F(SimulationTest, SeedsPassWithFaultsInjectedAndInvariantsChecked) {
  uint64_t power_losses = 0, mid_commit = 0, full = 0, damaged = 0, delivered = 0;
  uint64_t failovers = 0, crashes = 0, pauses = 0, fenced = 0;
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    const SeedReport r = simulate_seed(pack_, options_, seed);
    EXPECT_TRUE(r.passed()) << "seed " << seed << ": " << r.failure;
    EXPECT_GT(r.checks, 1000u) << "seed " << seed;
    EXPECT_GT(r.acknowledged, 100u) << "seed " << seed;
    EXPECT_FALSE(r.day_unfinished) << "seed " << seed;
    power_losses += r.power_losses;
    mid_commit += r.mid_commit_losses;
    full += r.full_disks;
    damaged += r.snapshots_damaged;
    delivered += r.messages_delivered;
    failovers += r.failovers;
    crashes += r.owner_crashes;
    pauses += r.owner_pauses;
    fenced += r.fenced_commits;
  }
  // The faults the simulation is for did happen.
  EXPECT_GT(power_losses, 5u);
  EXPECT_GT(mid_commit, 0u);
  EXPECT_GT(full, 0u);
  EXPECT_GT(damaged, 0u);
  EXPECT_GT(delivered, 10u);
  // Leases ran out and changed hands; owners woke up deposed and were fenced off.
  EXPECT_GT(failovers, 5u);
  EXPECT_GT(crashes, 0u);
  EXPECT_GT(pauses, 0u);
  EXPECT_GT(fenced, 0u);
}

// The same seed, the same history, whatever ran before it in the process
// (SQLite seeds its own randomness once: the disk must not depend on when).
TEST_F(SimulationTest, ASeedReplaysExactly) {
  const SeedReport a = simulate_seed(pack_, options_, 42);
  simulate_seed(pack_, options_, 7);
  const SeedReport b = simulate_seed(pack_, options_, 42);
  EXPECT_EQ(a.history, b.history);
  EXPECT_EQ(a.sectors_kept, b.sectors_kept);
  EXPECT_EQ(a.messages_delivered, b.messages_delivered);
  EXPECT_EQ(a.steps, b.steps);
  EXPECT_EQ(a.commands, b.commands);
  EXPECT_EQ(a.acknowledged, b.acknowledged);
  EXPECT_EQ(a.power_losses, b.power_losses);
  EXPECT_EQ(a.sectors_lost, b.sectors_lost);
  EXPECT_EQ(a.checks, b.checks);
  EXPECT_EQ(a.failovers, b.failovers);
  EXPECT_EQ(a.fenced_commits, b.fenced_commits);
  EXPECT_EQ(a.failure, b.failure);
}

// The checker can fail: a disk whose fsync keeps nothing loses
// acknowledged commits at a power loss, and every seed says so.
TEST_F(SimulationTest, ADiskThatLiesAboutFsyncIsCaught) {
  options_.lying_fsync = true;
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    const SeedReport r = simulate_seed(pack_, options_, seed);
    ASSERT_FALSE(r.passed()) << "seed " << seed;
    EXPECT_TRUE(r.failure.find("acknowledged commands lost") != std::string::npos ||
                r.failure.find("recovery refused") != std::string::npos)
        << r.failure;
  }
}

// And a shard store without the fence: where a deposed owner's commit was
// refused, the same seed on a store that takes it breaks an invariant — the
// one-writer check when the rows would follow the journal's end, the
// writers' own sequence check when the new owner had written first.
TEST_F(SimulationTest, AStoreThatTakesADeposedOwnersRowsIsCaught) {
  int fenced_seeds = 0, two_writers = 0;
  for (uint64_t seed = 1; seed <= 40 && (fenced_seeds < 3 || two_writers == 0); ++seed) {
    options_.fence = true;
    const SeedReport fenced = simulate_seed(pack_, options_, seed);
    ASSERT_TRUE(fenced.passed()) << "seed " << seed << ": " << fenced.failure;
    if (fenced.fenced_commits == 0) continue;
    ++fenced_seeds;
    options_.fence = false;
    const SeedReport unfenced = simulate_seed(pack_, options_, seed);
    ASSERT_FALSE(unfenced.passed()) << "seed " << seed;
    if (unfenced.failure.find("two writers") != std::string::npos) {
      ++two_writers;
    } else {
      EXPECT_NE(unfenced.failure.find("another writer appended"), std::string::npos)
          << unfenced.failure;
    }
  }
  EXPECT_GE(fenced_seeds, 3);
  EXPECT_GT(two_writers, 0);
}

// So can the link: a partner that never acknowledges leaves the outbox full.
TEST_F(SimulationTest, AMessageThatNeverArrivesIsCaught) {
  options_.message_loss_percent = 100;
  const SeedReport r = simulate_seed(pack_, options_, 7);
  ASSERT_FALSE(r.passed());
  EXPECT_NE(r.failure.find("never reached the partner"), std::string::npos) << r.failure;
}

}  // namespace
}  // namespace zg::sim
