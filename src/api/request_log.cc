#include "api/request_log.h"

#include "core/thread_name.h"

namespace zg::api {

RequestLog::RequestLog(std::FILE* out) : out_(out), thread_([this] { run(); }) {}

RequestLog::~RequestLog() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void RequestLog::write(std::string line) {
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= kQueuedLinesMax) {
      ++dropped_;
      return;
    }
    queue_.push_back(std::move(line));
  }
  changed_.notify_one();
}

uint64_t RequestLog::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void RequestLog::run() {
  name_this_thread("zg-log");
  std::deque<std::string> lines;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return !queue_.empty() || closing_; });
      if (queue_.empty()) return;
      lines.swap(queue_);
    }
    for (const std::string& line : lines) std::fwrite(line.data(), 1, line.size(), out_);
    std::fflush(out_);
    lines.clear();
  }
}

}  // namespace zg::api
