#include "durable/replay_pipeline.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace zg {
namespace {

// A replay of `rows` rows through the three stages, where each stage can be
// told to fail at a sequence number; records what each stage saw.
struct StagedReplay {
  StagedReplay(uint64_t rows_, uint64_t read_fails_at_ = 0, uint64_t apply_fails_at_ = 0,
               uint64_t check_fails_at_ = 0)
      : rows(rows_),
        read_fails_at(read_fails_at_),
        apply_fails_at(apply_fails_at_),
        check_fails_at(check_fails_at_) {}

  uint64_t rows;
  uint64_t read_fails_at;  // 0: never
  uint64_t apply_fails_at;
  uint64_t check_fails_at;

  uint64_t read = 0;
  std::vector<uint64_t> applied;
  std::vector<uint64_t> checked;
  Status status;

  StagedReplay& go() {
    ReplayStages stages;
    stages.read = [&](ReplayFeed& feed) -> Status {
      for (uint64_t seq = 1; seq <= rows; ++seq) {
        if (seq == read_fails_at)
          return Status(ErrorCode::kCorruption, "", "read " + std::to_string(seq));
        ReplayItem& item = feed.slot();
        item.seq = seq;
        item.recorded = "result " + std::to_string(seq);
        ++read;
        if (!feed.push()) return Status(ErrorCode::kCorruption, "", "stopped");
      }
      return Status::ok();
    };
    stages.apply = [&](ReplayItem& item) -> Status {
      if (item.seq == apply_fails_at) {
        return Status(ErrorCode::kCorruption, "", "apply " + std::to_string(item.seq));
      }
      applied.push_back(item.seq);
      item.derived = "result " + std::to_string(item.seq);
      return Status::ok();
    };
    stages.check = [&](const ReplayItem& item) -> Status {
      checked.push_back(item.seq);
      if (item.seq == check_fails_at || item.derived != item.recorded) {
        return Status(ErrorCode::kCorruption, "", "check " + std::to_string(item.seq));
      }
      return Status::ok();
    };
    status = run_replay_stages(stages);
    return *this;
  }
};

std::vector<uint64_t> one_to(uint64_t n) {
  std::vector<uint64_t> seqs;
  for (uint64_t seq = 1; seq <= n; ++seq) seqs.push_back(seq);
  return seqs;
}

TEST(ReplayPipeline, EveryRowIsAppliedAndCheckedInOrder) {
  for (uint64_t rows : {0u, 1u, 255u, 256u, 257u, 5000u}) {
    StagedReplay run(rows);
    run.go();
    EXPECT_TRUE(run.status.is_ok()) << rows << ": " << run.status.first().message;
    EXPECT_EQ(run.applied, one_to(rows));
    EXPECT_EQ(run.checked, one_to(rows));
  }
}

TEST(ReplayPipeline, AReadErrorComesAfterEveryEarlierRow) {
  StagedReplay run(5000, /*read_fails_at=*/800);
  run.go();
  EXPECT_EQ(run.status.first().message, "read 800");
  EXPECT_EQ(run.applied, one_to(799));
  EXPECT_EQ(run.checked, one_to(799));
}

TEST(ReplayPipeline, AnApplyErrorStopsReadingAndTheRowsBeforeItAreChecked) {
  StagedReplay run(100000, 0, /*apply_fails_at=*/500);
  run.go();
  EXPECT_EQ(run.status.first().message, "apply 500");
  EXPECT_EQ(run.applied, one_to(499));
  EXPECT_EQ(run.checked, one_to(499));
  EXPECT_LT(run.read, 100000u);  // reading stopped long before the end
}

// The checker lags behind the applier, so the applier may fail later on;
// the lower sequence number's error is the one reported.
TEST(ReplayPipeline, TheLowestSequenceNumbersErrorWins) {
  StagedReplay run(100000, /*read_fails_at=*/3000, /*apply_fails_at=*/2000, /*check_fails_at=*/300);
  run.go();
  EXPECT_EQ(run.status.first().message, "check 300");
  EXPECT_EQ(run.checked, one_to(300));
  EXPECT_LT(run.applied.size(), 2000u);
}

}  // namespace
}  // namespace zg
