#include "cli/committer.h"

#include "engine/journal_entry.h"

namespace zg::cli {

Committer::Committer(JournalStore& journal, std::string pack_hash, std::FILE* out)
    : journal_(journal), pack_hash_(std::move(pack_hash)), out_(out), thread_([this] { run(); }) {}

Committer::~Committer() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

bool Committer::submit(std::vector<PendingEntry> entries, std::string answers) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return queue_.size() < kBatchesWaitingMax || !failure_.is_ok(); });
  if (!failure_.is_ok()) return false;
  queue_.push_back(Batch{std::move(entries), std::move(answers)});
  changed_.notify_all();
  return true;
}

Status Committer::finish() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return queue_.empty() || !failure_.is_ok(); });
  return failure_;
}

void Committer::run() {
  std::vector<JournalEntry> rows;
  for (;;) {
    Batch batch;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return !queue_.empty() || closing_; });
      if (queue_.empty()) return;  // closing, and nothing left
      batch = std::move(queue_.front());
    }
    rows.clear();
    for (const PendingEntry& entry : batch.entries) {
      rows.push_back(make_journal_entry(entry.seq, entry.command, entry.result, pack_hash_));
    }
    Status status = journal_.append(rows);
    if (status.is_ok() && out_ != nullptr && !batch.answers.empty()) {
      std::fwrite(batch.answers.data(), 1, batch.answers.size(), out_);
      std::fflush(out_);
    }
    std::lock_guard lock(mutex_);
    queue_.pop_front();
    if (!status.is_ok()) {
      failure_ = status;
      queue_.clear();  // nothing after a failed commit is answered
    }
    changed_.notify_all();
    if (!status.is_ok()) return;
  }
}

}  // namespace zg::cli
