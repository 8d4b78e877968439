// WAL checkpoints on a thread of their own, for a journal that commits all
// the time while clients wait for answers (a server's).
//
// A checkpoint copies the WAL's pages back into the database file and
// syncs it. Left to SQLite (wal_autocheckpoint) it runs inside the COMMIT
// that passes the mark, on the zone's committer, and every request waits
// for it: 30-45 ms with single declarations, 40-100 ms with batches, every
// 128 MiB of WAL. Here a thread with a connection of its own does the
// copying while the committer goes on committing.
//
// The WAL starts again from its beginning only at a write transaction that
// finds every frame copied. Under steady load commits land during each
// background checkpoint, so the background never quite catches up: once it
// has come within `short_rest` frames of the end, the committer copies the
// rest itself (a few MiB, a few ms) and the next commit starts the WAL
// again; the thread is not asked from then on, so it is idle when the
// committer's turn comes. A WAL that grows past `inline_frames` all the same (checkpoints
// failing, a reader holding old frames) is checkpointed by the committer
// whenever the background is idle, as SQLite would have done.
//
// A checkpoint changes no row, so any of these choices is safe; they only
// decide who waits and how long the WAL grows.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/status.h"

struct sqlite3;

namespace zg {

struct WalCheckpointPolicy {
  int start_frames = 2048;  // 128 MiB of 64 KiB pages: the background starts
  int short_rest = 256;     // 16 MiB: what the committer copies itself
  int inline_frames = 8 * 2048;
};

class WalCheckpointer {
 public:
  // Opens a connection of its own on the database at `path` and starts the
  // thread ("zg-checkpoint").
  static Result<std::unique_ptr<WalCheckpointer>> start(const std::string& path,
                                                        const WalCheckpointPolicy& policy);
  // Waits for a checkpoint under way, stops the thread, closes the
  // connection.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // From the writer's thread after each commit (SQLite's WAL hook), with
  // the frames now in the WAL: asks the thread for a checkpoint, or makes
  // the short one on `writer` itself (see above).
  void committed(sqlite3* writer, int frames);

  // Checkpoints made so far, for tests and figures.
  uint64_t background_checkpoints() const { return background_.load(); }
  uint64_t inline_checkpoints() const { return inline_.load(); }
  uint64_t failed_checkpoints() const { return failed_.load(); }

 private:
  WalCheckpointer(sqlite3* db, const WalCheckpointPolicy& policy) : db_(db), policy_(policy) {}
  void run();
  // What a checkpoint of WAL round `round` copied: the frames from the
  // WAL's start that are now in the database.
  void record(uint32_t round, int copied);
  // A PASSIVE checkpoint on `db` (this thread's connection or the
  // writer's) for WAL round `round`, counted in `made` if it succeeds.
  void checkpoint(sqlite3* db, uint32_t round, std::atomic<uint64_t>& made);

  sqlite3* db_;
  const WalCheckpointPolicy policy_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wanted_changed_;
  bool wanted_ = false;
  bool stopping_ = false;
  uint32_t wanted_round_ = 0;
  // The newest checkpoint's reach: round << 32 | frames copied. A round is
  // one life of the WAL, from a start at its beginning; the writer counts
  // them (its frames fall when the WAL starts again), so a reach from
  // before a restart is not mistaken for one now.
  std::atomic<uint64_t> reach_{0};
  std::atomic<bool> busy_{false};  // a background checkpoint is under way
  // The writer's own: the WAL's round and its frames at the last commit.
  uint32_t round_ = 0;
  int last_frames_ = 0;
  std::atomic<uint64_t> background_{0};
  std::atomic<uint64_t> inline_{0};
  std::atomic<uint64_t> failed_{0};
};

}  // namespace zg
