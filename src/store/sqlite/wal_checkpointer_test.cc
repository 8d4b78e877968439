// WAL checkpoints on their own thread (wal_checkpointer.h): the WAL stays
// short while commits go on, every row reads back, and a writer killed at
// any moment keeps every row it acknowledged.
#include "store/sqlite/wal_checkpointer.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/temp_dir.h"
#include "engine/journal_entry.h"
#include "store/sqlite/sqlite_journal.h"

// A namespace of its own: unity builds put several tests' files together.
namespace zg::wal_checkpointer_test {

namespace fs = std::filesystem;

constexpr uint64_t kFrameBytes = 65536 + 24;  // a 64 KiB page and its frame header
constexpr int kRowsPerCommit = 8;

// Small marks, so that a test's few megabytes go through many checkpoints.
const WalCheckpointPolicy kSmall{.start_frames = 16, .short_rest = 4, .inline_frames = 64};

// A row of about a kilobyte, as a declaration's is; the same for a seq
// every time, so a row read back can be checked byte for byte.
JournalEntry row(uint64_t seq) {
  const std::string id = "c" + std::to_string(seq);
  return make_journal_entry(
      seq, R"({"id":")" + id + R"(","note":")" + std::string(900, 'x') + R"(","type":"x"})",
      R"({"id":")" + id + R"(","status":"accepted"})", "abc");
}

std::vector<JournalEntry> batch_after(uint64_t last) {
  std::vector<JournalEntry> batch;
  for (int i = 1; i <= kRowsPerCommit; ++i) batch.push_back(row(last + i));
  return batch;
}

uint64_t size_or_zero(const std::string& path) {
  std::error_code error;
  const uintmax_t size = fs::file_size(path, error);
  return error ? 0 : size;
}

// Every row from 1 to `last` is there, byte for byte.
void expect_rows(const std::string& path, uint64_t last) {
  Result<std::unique_ptr<SqliteJournal>> journal = SqliteJournal::open(path, false);
  ASSERT_TRUE(journal.is_ok()) << journal.status().first().message;
  ASSERT_GE((*journal)->last_seq(), last);
  uint64_t expected = 1;
  Status status = (*journal)->read(1, [&](const JournalEntry& got) {
    if (expected > last) return Status::ok();
    const JournalEntry want = row(expected);
    EXPECT_EQ(got.seq, expected);
    EXPECT_EQ(got.entry, want.entry) << "seq " << expected;
    EXPECT_EQ(got.leaf_hash, want.leaf_hash) << "seq " << expected;
    ++expected;
    return Status::ok();
  });
  ASSERT_TRUE(status.is_ok()) << status.first().message;
  EXPECT_EQ(expected, last + 1);
}

// The largest the WAL file grew over `commits` commits, in frames.
struct CommitRun {
  uint64_t wal_frames_max = 0;
  uint64_t background = 0;
  uint64_t in_commits = 0;
};

CommitRun commit_many(const std::string& path, int commits, bool background) {
  CommitRun run;
  Result<std::unique_ptr<SqliteJournal>> journal = SqliteJournal::open(path, true);
  EXPECT_TRUE(journal.is_ok());
  if (!journal.is_ok()) return run;
  if (background) {
    Status started = (*journal)->checkpoint_in_background(kSmall);
    EXPECT_TRUE(started.is_ok()) << started.first().message;
  }
  for (int i = 0; i < commits; ++i) {
    Status status = (*journal)->append(batch_after((*journal)->last_seq()));
    EXPECT_TRUE(status.is_ok()) << status.first().message;
    run.wal_frames_max = std::max(run.wal_frames_max, size_or_zero(path + "-wal") / kFrameBytes);
  }
  if (const WalCheckpointer* checkpointer = (*journal)->checkpointer()) {
    run.background = checkpointer->background_checkpoints();
    run.in_commits = checkpointer->inline_checkpoints();
    EXPECT_EQ(checkpointer->failed_checkpoints(), 0u);
  }
  return run;
}

TEST(WalCheckpointer, KeepsTheWalShortWhileCommitsGoOn) {
  constexpr int kCommits = 300;
  TempDir dir("zg-checkpoint-test");
  // The same commits with SQLite's own checkpoints (every 2,048 frames):
  // the WAL only grows.
  const CommitRun alone = commit_many(dir.file("alone.db"), kCommits, false);
  const CommitRun run = commit_many(dir.file("journal.db"), kCommits, true);
  EXPECT_GT(alone.wal_frames_max, 300u);
  EXPECT_GE(run.background, 1u);
  // The committer copied the short rests, so the WAL started again.
  EXPECT_GE(run.in_commits, 1u);
  EXPECT_LT(run.wal_frames_max, alone.wal_frames_max / 2)
      << run.background << " background checkpoints, " << run.in_commits << " in commits";
  expect_rows(dir.file("journal.db"), kCommits * kRowsPerCommit);
}

TEST(WalCheckpointer, StartsOnlyWhenAskedAndOnce) {
  TempDir dir("zg-checkpoint-test");
  Result<std::unique_ptr<SqliteJournal>> journal =
      SqliteJournal::open(dir.file("journal.db"), true);
  ASSERT_TRUE(journal.is_ok());
  EXPECT_EQ((*journal)->checkpointer(), nullptr);
  ASSERT_TRUE((*journal)->checkpoint_in_background(kSmall).is_ok());
  const WalCheckpointer* first = (*journal)->checkpointer();
  ASSERT_NE(first, nullptr);
  // Asking again changes nothing.
  ASSERT_TRUE((*journal)->checkpoint_in_background(kSmall).is_ok());
  EXPECT_EQ((*journal)->checkpointer(), first);
}

// A child process commits with background checkpoints and says, once each
// append() returned, the commit's last seq and the checkpoints made so far
// through a pipe; the parent kills it (SIGKILL) after a different number
// of commits each round, then finds every row it was told of. SIGKILL ends
// the process, not the machine: the page cache outlives it (see
// docs/reliability.md for a power cut).
TEST(WalCheckpointer, AWriterKilledAtAnyMomentKeepsWhatItAcknowledged) {
  struct Told {
    uint64_t last_seq = 0;
    uint64_t checkpoints = 0;  // by the thread and by the writer
  };
  int rounds_after_checkpoints = 0;
  for (int round = 0; round < 6; ++round) {
    TempDir dir("zg-checkpoint-test");
    const std::string path = dir.file("journal.db");
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(pipe_fds[0]);
      Result<std::unique_ptr<SqliteJournal>> journal = SqliteJournal::open(path, true);
      if (!journal.is_ok() || !(*journal)->checkpoint_in_background(kSmall).is_ok()) ::_exit(3);
      const WalCheckpointer& checkpointer = *(*journal)->checkpointer();
      for (;;) {
        if (!(*journal)->append(batch_after((*journal)->last_seq())).is_ok()) ::_exit(4);
        const Told told{(*journal)->last_seq(),
                        checkpointer.background_checkpoints() + checkpointer.inline_checkpoints()};
        if (::write(pipe_fds[1], &told, sizeof told) != sizeof told) ::_exit(5);
      }
    }
    ::close(pipe_fds[1]);
    // Rounds stop at 20, 47, 74, ... commits (a commit adds one or two
    // frames to the WAL), in the middle of checkpoints.
    const int kill_after = 20 + round * 27;
    Told acknowledged;
    Told got;
    for (int i = 0; i < kill_after && ::read(pipe_fds[0], &got, sizeof got) == sizeof got; ++i) {
      acknowledged = got;
    }
    ::kill(child, SIGKILL);
    // What the child wrote before it died was acknowledged too.
    while (::read(pipe_fds[0], &got, sizeof got) == sizeof got) acknowledged = got;
    ::close(pipe_fds[0]);
    int wait_status = 0;
    ASSERT_EQ(::waitpid(child, &wait_status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(wait_status))
        << "the writer stopped by itself, status " << WEXITSTATUS(wait_status);
    ASSERT_GT(acknowledged.last_seq, 0u);
    if (acknowledged.checkpoints > 0) ++rounds_after_checkpoints;
    expect_rows(path, acknowledged.last_seq);
  }
  // Most rounds killed a writer whose WAL had been checkpointed already.
  EXPECT_GE(rounds_after_checkpoints, 4);
}

}  // namespace zg::wal_checkpointer_test
