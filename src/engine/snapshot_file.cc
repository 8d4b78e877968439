#include "engine/snapshot_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace zg {

namespace {

int open_for_writing(const std::string& path, const std::string& reuse) {
  if (!reuse.empty() && ::rename(reuse.c_str(), path.c_str()) == 0) {
    // Only a plain file of this one name: a symbolic link's target, a
    // FIFO, or a file with another name too (a backup's hard link) is left
    // whole; the name it was given here goes, and a new file is made.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    struct stat st {};
    if (fd >= 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1) {
      const int flags = ::fcntl(fd, F_GETFL);
      if (flags >= 0 && ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0) return fd;
    }
    if (fd >= 0) ::close(fd);
    ::unlink(path.c_str());
  }
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

}  // namespace

SnapshotFile::SnapshotFile(const std::string& path, bool own_thread, const std::string& reuse)
    : fd_(open_for_writing(path, reuse)) {
  if (fd_ < 0) {
    failure_ = std::strerror(errno);
    failed_ = true;
    return;
  }
  if (!own_thread) return;
  try {
    thread_ = std::thread([this] { run(); });
  } catch (...) {
    // No thread (system_error, bad_alloc): append() writes each piece itself.
  }
}

SnapshotFile::~SnapshotFile() {
  if (thread_.joinable()) {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
      abandoned_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  if (fd_ >= 0) ::close(fd_);
}

void SnapshotFile::append(std::string& piece) {
  if (failed_.load(std::memory_order_relaxed)) {  // a full disk, say: nothing more to do
    piece.clear();
    return;
  }
  // Hashed here, written there: the two take about as long (the copy into
  // fresh page-cache pages is the dear part of writing).
  hash_.update(piece);
  if (!thread_.joinable()) {
    write_piece(piece);
    piece.clear();
    return;
  }
  const size_t size = piece.size();
  std::string empty;
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return waiting_.size() < kWaitingMax; });
    waiting_.push_back(std::move(piece));
    if (!free_.empty()) {
      empty = std::move(free_.back());
      free_.pop_back();
    }
  }
  changed_.notify_all();
  empty.clear();
  if (empty.capacity() < size) empty.reserve(size);  // the next piece grows no more than this
  piece = std::move(empty);
}

std::string SnapshotFile::finish() {
  if (thread_.joinable()) {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;  // the thread writes what waits, then stops
    }
    changed_.notify_all();
    thread_.join();
  }
  const Digest digest = hash_.finish();
  write_piece(std::string(reinterpret_cast<const char*>(digest.data()), digest.size()));
  // A reused file may have been longer: what follows the seal goes.
  if (failure_.empty() && ::ftruncate(fd_, static_cast<off_t>(written_)) != 0) {
    failure_ = std::strerror(errno);
  }
  if (failure_.empty() && ::fsync(fd_) != 0) failure_ = std::strerror(errno);
  if (fd_ >= 0 && ::close(fd_) != 0 && failure_.empty()) failure_ = std::strerror(errno);
  fd_ = -1;
  return failure_;
}

void SnapshotFile::run() {
  for (;;) {
    std::string piece;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return !waiting_.empty() || closing_; });
      if (waiting_.empty() || abandoned_) return;  // closing, and all written (or dropped)
      piece = std::move(waiting_.front());
      waiting_.pop_front();
    }
    changed_.notify_all();  // room for another
    write_piece(piece);
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(piece));
  }
}

void SnapshotFile::write_piece(const std::string& piece) {
  if (!failure_.empty()) return;  // after a failure, the rest is dropped
  std::string_view rest(piece);
  while (!rest.empty()) {
    const ssize_t n = ::write(fd_, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      failure_ = n < 0 ? std::strerror(errno) : "nothing written";
      failed_ = true;
      return;
    }
    rest.remove_prefix(static_cast<size_t>(n));
    written_ += static_cast<uint64_t>(n);
  }
}

}  // namespace zg
