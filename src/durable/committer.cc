#include "durable/committer.h"

#include <chrono>

#include "core/thread_name.h"
#include "core/unshared_heap.h"
#include "engine/journal_entry.h"

namespace zg {

Committer::Committer(JournalStore& journal, std::string pack_hash, std::FILE* out,
                     size_t entries_max, Observer observe, AuditLog* audit)
    : journal_(journal),
      pack_hash_(std::move(pack_hash)),
      out_(out),
      entries_max_(entries_max),
      observe_(std::move(observe)),
      audit_(audit),
      thread_([this] { run(); }) {}

Committer::~Committer() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

bool Committer::submit(std::vector<PendingEntry> entries, std::string answers, Done done) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return queue_.size() < kBatchesWaitingMax || !failure_.is_ok(); });
  if (!failure_.is_ok()) return false;
  queue_.push_back(Batch{std::move(entries), std::move(answers), std::move(done)});
  changed_.notify_all();
  return true;
}

Status Committer::finish() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return (queue_.empty() && !in_flight_) || !failure_.is_ok(); });
  return failure_;
}

void Committer::run() {
  name_this_thread("zg-commit");
  unshared_heap::use_for_this_thread();  // a snapshot's child has no use for it
  std::vector<JournalEntry> rows;
  for (;;) {
    // What is waiting goes into one transaction: the busier the engine, the
    // larger the group and the fewer the fsyncs.
    std::vector<Batch> work;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return !queue_.empty() || closing_; });
      if (queue_.empty()) return;  // closing, and nothing left
      // Whole batches, oldest first, up to entries_max_ entries (at least one batch).
      size_t entries = 0;
      while (!queue_.empty() &&
             (work.empty() || entries + queue_.front().entries.size() <= entries_max_)) {
        entries += queue_.front().entries.size();
        work.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      in_flight_ = true;
    }
    changed_.notify_all();  // room in the queue again
    rows.clear();
    for (const Batch& batch : work) {
      for (const PendingEntry& entry : batch.entries) {
        rows.push_back(make_journal_entry(entry.seq, entry.command, entry.result, pack_hash_));
      }
    }
    const auto started = std::chrono::steady_clock::now();
    // A batch of reads only (the server's) has no rows: nothing to commit.
    Status status = rows.empty() ? Status::ok() : journal_.append(rows);
    if (observe_ && !rows.empty()) {
      observe_(rows.size(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
    // The Merkle log follows the journal. The rows are durable whatever
    // happens to a tree head: one that cannot be stored is reported and the
    // next interval signs again (a restart rebuilds the tree from the rows).
    if (status.is_ok() && audit_ != nullptr && !rows.empty()) {
      Status head = audit_->committed(rows, wall_clock_ms());
      if (!head.is_ok()) {
        std::fprintf(stderr, "zonegate: no tree head this time: %s\n",
                     head.first().message.c_str());
      }
    }
    if (status.is_ok() && out_ != nullptr) {
      bool written = true;
      for (const Batch& batch : work) {
        written = written && std::fwrite(batch.answers.data(), 1, batch.answers.size(), out_) ==
                                 batch.answers.size();
      }
      if (!written || std::fflush(out_) != 0) {
        // Durable, but the answers did not reach the client: stop, so the
        // caller reports it (a rerun answers the same commands as repeats).
        status =
            Status(ErrorCode::kIoError, "", "cannot write the answers (output full or closed)");
      }
    }
    for (const Batch& batch : work) {
      if (batch.done) batch.done(status);
    }
    std::deque<Batch> dropped;
    {
      std::lock_guard lock(mutex_);
      in_flight_ = false;
      if (!status.is_ok()) {
        failure_ = status;
        dropped.swap(queue_);  // nothing after a failed commit is committed
      }
    }
    changed_.notify_all();
    if (!status.is_ok()) {
      for (const Batch& batch : dropped) {
        if (batch.done) batch.done(status);
      }
      return;
    }
  }
}

}  // namespace zg
