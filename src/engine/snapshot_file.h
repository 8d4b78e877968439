// A snapshot file as it is written: pieces hashed (SHA-256, the seal at
// the end) on the caller's thread and written in order by a thread of the
// file's own, so that writing a piece overlaps encoding and hashing the
// next. Writing through the page cache means copying into fresh cache
// pages, on this VM as dear as encoding and hashing together; with all of
// it on one thread a snapshot of the 1M-command zone took 3 s
// (bench/snapshot_ab.sh).
//
// It writes snapshots in-process (`zonegate snapshot`, a server's last
// one) and in the child process that writes one beside a live zone, where
// only the forking thread exists. Making one more thread there works with
// glibc and jemalloc (they reset their locks in the child), if beyond what
// POSIX promises; ThreadSanitizer ends such a child, so its builds write
// in turn there (durable/data_dir.cc). Where a thread cannot be made, or
// is not wanted, the caller's thread writes each piece.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/sha256.h"

namespace zg {

class SnapshotFile {
 public:
  // Creates (truncates) `path`; failure() says whether it could. Pieces
  // are written by a thread of its own if `own_thread`.
  //
  // With `reuse`, an older file the caller is done with (a snapshot about
  // to be dropped) becomes `path` by a rename and is written over in place,
  // then cut to length. Writing into page-cache pages the file already has
  // costs a copy; a new file's pages are fresh memory, which on this VM
  // costs about thirty times that (the host takes freed memory back within
  // seconds). If it cannot be renamed, `path` is made as without it.
  SnapshotFile(const std::string& path, bool own_thread, const std::string& reuse = "");
  // Stops the thread, dropping pieces not yet written (finish() was not
  // called: the file is abandoned, for the caller to remove).
  ~SnapshotFile();
  SnapshotFile(const SnapshotFile&) = delete;
  SnapshotFile& operator=(const SnapshotFile&) = delete;

  // Hashes `piece` and takes it (swapped for an empty buffer, reused from
  // earlier pieces where one is free) to be appended after the pieces
  // before it. Waits while two pieces wait already.
  void append(std::string& piece);

  // Appends the SHA-256 of everything appended, then syncs and closes.
  // "" or why writing failed (the first failure; later pieces were dropped).
  std::string finish();

  // Why the file could not be made ("" when it was). Valid until the first
  // append.
  const std::string& failure() const { return failure_; }
  // Whether writing has failed (the rest need not even be encoded).
  bool failed() const { return failed_.load(std::memory_order_relaxed); }

 private:
  static constexpr size_t kWaitingMax = 2;

  void run();
  // On the writing thread; on the caller's when there is none, and for the
  // seal once the thread has stopped.
  void write_piece(const std::string& piece);

  int fd_ = -1;
  uint64_t written_ = 0;             // bytes, by whoever writes pieces
  Sha256 hash_;                      // the caller's thread's
  std::string failure_;              // by whoever writes pieces; read once the thread has stopped
  std::atomic<bool> failed_{false};  // failure_ is set: the rest is not even hashed

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> waiting_;
  std::vector<std::string> free_;  // written pieces' buffers, to reuse
  bool closing_ = false;
  bool abandoned_ = false;  // closing without finish(): what waits is dropped
  std::thread thread_;      // not joinable when it could not be made
};

}  // namespace zg
