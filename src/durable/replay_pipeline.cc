#include "durable/replay_pipeline.h"

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "core/thread_name.h"

namespace zg {

namespace {

// Rows per batch: a hand-over (a lock and a wake-up) per 256 rows costs
// nothing next to the rows' work.
constexpr size_t kRowsPerBatch = 256;
// Enough batches that no stage waits on another's burst: two per stage.
constexpr size_t kBatchesInRing = 6;

enum class Stage { kFree, kRead, kApplied };

struct Batch {
  std::vector<ReplayItem> items{kRowsPerBatch};
  size_t count = 0;
  Stage stage = Stage::kFree;
  bool last = false;  // no batch follows this one
};

class Ring {
 public:
  Ring() : batches_(kBatchesInRing) {}

  Batch& at(size_t slot) { return batches_[slot % batches_.size()]; }

  // Waits until the batch is at `stage`; false when it never will be (the
  // stage that would bring it there has ended) or, for reading and applying,
  // when a stage has failed: nothing more is read or applied then.
  bool wait_for(Batch& batch, Stage stage) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return batch.stage == stage || gave_up(stage); });
    if (stopped_ && stage != Stage::kApplied) return false;
    return batch.stage == stage;
  }
  void pass_on(Batch& batch, Stage stage) {
    {
      std::lock_guard lock(mutex_);
      batch.stage = stage;
    }
    changed_.notify_all();
  }
  // A stage failed: nothing new is read or applied. A stage that ended
  // (failed or finished) brings no more batches to the stage after it.
  void stop() {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    changed_.notify_all();
  }
  void applying_ended() {
    std::lock_guard lock(mutex_);
    applying_ended_ = true;
    changed_.notify_all();
  }
  void reading_ended() {
    std::lock_guard lock(mutex_);
    reading_ended_ = true;
    changed_.notify_all();
  }

 private:
  // Called with the lock held.
  bool gave_up(Stage awaited) const {
    switch (awaited) {
      case Stage::kFree: return stopped_;  // the reader waits for a free batch
      case Stage::kRead: return stopped_ || reading_ended_;
      case Stage::kApplied: return applying_ended_;  // checks what was applied
    }
    return true;
  }

  std::vector<Batch> batches_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopped_ = false;
  bool reading_ended_ = false;
  bool applying_ended_ = false;
};

class RingFeed final : public ReplayFeed {
 public:
  explicit RingFeed(Ring& ring) : ring_(ring), batch_(&ring.at(0)) {}

  ReplayItem& slot() override { return batch_->items[batch_->count]; }
  bool push() override {
    if (++batch_->count < batch_->items.size()) return true;
    return hand_over(false);
  }
  // The last batch, perhaps part-filled or empty; nothing when a later
  // stage stopped the reading.
  void finish() {
    if (batch_ != nullptr) hand_over(true);
  }

 private:
  bool hand_over(bool last) {
    batch_->last = last;
    ring_.pass_on(*batch_, Stage::kRead);
    if (last) {
      batch_ = nullptr;
      return false;
    }
    batch_ = &ring_.at(++slot_);
    if (!ring_.wait_for(*batch_, Stage::kFree)) {
      batch_ = nullptr;  // not ours: a later stage still holds it
      return false;
    }
    batch_->count = 0;
    return true;
  }

  Ring& ring_;
  size_t slot_ = 0;
  Batch* batch_;  // the batch being filled; null once stopped
};

}  // namespace

Status run_replay_stages(const ReplayStages& stages) {
  Ring ring;
  Status read_status;
  Status check_status;

  std::thread reading([&] {
    name_this_thread("zg-replay-read");
    RingFeed feed(ring);
    read_status = stages.read(feed);
    // What was read before the error is applied and checked; the error is
    // reported only if nothing earlier fails.
    feed.finish();
    ring.reading_ended();
  });
  std::thread checking([&] {
    name_this_thread("zg-replay-chk");
    for (size_t slot = 0;; ++slot) {
      Batch& batch = ring.at(slot);
      if (!ring.wait_for(batch, Stage::kApplied)) return;
      for (size_t i = 0; i < batch.count && check_status.is_ok(); ++i) {
        check_status = stages.check(batch.items[i]);
      }
      if (!check_status.is_ok()) {
        ring.stop();
        return;
      }
      const bool last = batch.last;
      ring.pass_on(batch, Stage::kFree);
      if (last) return;
    }
  });

  Status apply_status;
  for (size_t slot = 0;; ++slot) {
    Batch& batch = ring.at(slot);
    if (!ring.wait_for(batch, Stage::kRead)) break;
    size_t applied = 0;
    while (applied < batch.count && apply_status.is_ok()) {
      apply_status = stages.apply(batch.items[applied]);
      if (apply_status.is_ok()) ++applied;
    }
    const bool last = batch.last || !apply_status.is_ok();
    batch.count = applied;  // the checker sees only what was applied
    batch.last = last;
    ring.pass_on(batch, Stage::kApplied);
    if (!apply_status.is_ok()) ring.stop();
    if (last) break;
  }
  ring.applying_ended();
  checking.join();
  reading.join();

  // The lowest sequence number's error: the checker's rows come before any
  // the applier failed on, and the applier's before the reader's.
  if (!check_status.is_ok()) return check_status;
  if (!apply_status.is_ok()) return apply_status;
  return read_status;
}

}  // namespace zg
