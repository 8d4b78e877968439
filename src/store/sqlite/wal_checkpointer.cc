#include "store/sqlite/wal_checkpointer.h"

#include <sqlite3.h>

#include <system_error>

#include "core/thread_name.h"

namespace zg {

Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::start(const std::string& path,
                                                                const WalCheckpointPolicy& policy) {
  using Started = Result<std::unique_ptr<WalCheckpointer>>;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Started(ErrorCode::kIoError, "",
                   "cannot open " + path + " for WAL checkpoints: " + message);
  }
  std::unique_ptr<WalCheckpointer> checkpointer(new WalCheckpointer(db, policy));
  // A checkpoint syncs the database as the writer's connection would. This
  // connection writes no row, so it would never checkpoint by itself; a
  // read opens the WAL for it.
  sqlite3_busy_timeout(db, 5'000);
  for (const char* sql :
       {"PRAGMA synchronous=FULL", "PRAGMA wal_autocheckpoint=0", "SELECT count(*) FROM meta"}) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
      return Started(ErrorCode::kIoError, "",
                     "preparing WAL checkpoints on " + path + ": " + sqlite3_errmsg(db));
    }
  }
  try {
    checkpointer->thread_ = std::thread([c = checkpointer.get()] { c->run(); });
  } catch (const std::system_error& e) {
    return Started(ErrorCode::kIoError, "",
                   std::string("no thread for WAL checkpoints: ") + e.what());
  }
  return checkpointer;
}

WalCheckpointer::~WalCheckpointer() {
  if (thread_.joinable()) {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wanted_changed_.notify_one();
    thread_.join();
  }
  sqlite3_close(db_);
}

void WalCheckpointer::record(uint32_t round, int copied) {
  reach_.store(static_cast<uint64_t>(round) << 32 | static_cast<uint32_t>(copied));
}

void WalCheckpointer::checkpoint(sqlite3* db, uint32_t round, std::atomic<uint64_t>& made) {
  int frames = 0;
  int copied = 0;
  const int rc =
      sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied);
  if (rc == SQLITE_OK) {
    record(round, copied);
    made.fetch_add(1);
  } else if (rc != SQLITE_BUSY) {  // busy: the other connection's checkpoint is under way
    failed_.fetch_add(1);
  }
}

void WalCheckpointer::run() {
  name_this_thread("zg-checkpoint");
  std::unique_lock lock(mutex_);
  for (;;) {
    wanted_changed_.wait(lock, [&] { return wanted_ || stopping_; });
    if (stopping_) return;
    wanted_ = false;
    const uint32_t round = wanted_round_;
    busy_.store(true);
    lock.unlock();
    checkpoint(db_, round, background_);
    busy_.store(false);
    lock.lock();
  }
}

void WalCheckpointer::committed(sqlite3* writer, int frames) {
  if (frames < last_frames_) ++round_;  // the WAL started again from its beginning
  last_frames_ = frames;
  if (frames < policy_.start_frames) return;
  const uint64_t reach = reach_.load();
  const int copied = static_cast<uint32_t>(reach >> 32) == round_
                         ? static_cast<int>(static_cast<uint32_t>(reach))
                         : 0;
  if (frames - copied <= policy_.short_rest || frames >= policy_.inline_frames) {
    // The thread is not asked again, so it goes idle once the checkpoint
    // under way ends, and a later commit copies the rest: asked after
    // every commit, it stayed busy on a loaded machine, the committer
    // never found it idle, and the WAL grew.
    if (!busy_.load()) checkpoint(writer, round_, inline_);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (wanted_) return;  // asked already, not yet begun
    wanted_ = true;
    wanted_round_ = round_;
  }
  wanted_changed_.notify_one();
}

}  // namespace zg
