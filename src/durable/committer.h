// Group commit, pipelined: the engine's thread applies a batch and hands it
// here; this thread encodes the journal entries of what is waiting, commits
// them in one transaction (fsynced) and only then writes their answers.
// The engine goes on meanwhile, so a commit's disk wait costs no engine
// time, and under load transactions grow (up to `entries_max`).
//
// If a commit fails, no later batch is committed or answered and submit()
// returns false: the caller stops, and its process ends with the state of
// the unanswered batches (a restart rebuilds from the journal).
#pragma once

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/status.h"
#include "durable/audit_log.h"
#include "store/journal_store.h"

namespace zg {

// A command to journal: its sequence number, canonical JSON and result.
// `result` must stay valid until the batch is committed (the engine's
// result store keeps the results of the commands it answers until its
// owner releases them, which a zone does only for committed rows).
struct PendingEntry {
  uint64_t seq = 0;
  std::string command;
  std::string_view result;
};

class Committer {
 public:
  // Batches queued behind the transaction being committed.
  static constexpr size_t kBatchesWaitingMax = 8;

  // A transaction holds whole batches, up to `entries_max` entries.
  // `observe`, if given, hears of each commit: rows and seconds taken.
  using Observer = std::function<void(size_t rows, double seconds)>;
  // `audit`, if given, gets every committed group (the Merkle log).
  Committer(JournalStore& journal, std::string pack_hash, std::FILE* out, size_t entries_max,
            Observer observe = {}, AuditLog* audit = nullptr);
  ~Committer();
  Committer(const Committer&) = delete;
  Committer& operator=(const Committer&) = delete;

  // Called once a batch is durable (OK) or will never be (the failed
  // commit's error), on the committer's thread.
  using Done = std::function<void(const Status&)>;

  // Queues a batch; blocks while kBatchesWaitingMax wait. Its `answers` go
  // to the output and `done` is called once it is durable. False once a
  // commit has failed (the batch is dropped, unanswered; `done` is not called).
  bool submit(std::vector<PendingEntry> entries, std::string answers, Done done = {});
  // Waits until every queued batch is committed and answered. The error of
  // the commit that failed, if one did.
  Status finish();

 private:
  struct Batch {
    std::vector<PendingEntry> entries;
    std::string answers;
    Done done;
  };
  void run();

  JournalStore& journal_;
  const std::string pack_hash_;
  std::FILE* out_;
  const size_t entries_max_;
  const Observer observe_;
  AuditLog* const audit_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> queue_;
  bool closing_ = false;
  bool in_flight_ = false;  // batches taken from the queue, not yet committed
  Status failure_;
  std::thread thread_;
};

}  // namespace zg
