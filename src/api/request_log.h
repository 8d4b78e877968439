// The request log: one JSON line per request on standard error, written by
// a thread of its own. Answering never waits for the log: lines are queued,
// and when standard error stalls (a full pipe) the queue stops growing at
// a bound and further lines are counted as dropped instead.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace zg::api {

class RequestLog {
 public:
  static constexpr size_t kQueuedLinesMax = 100'000;

  explicit RequestLog(std::FILE* out = stderr);
  ~RequestLog();  // writes what is queued
  RequestLog(const RequestLog&) = delete;
  RequestLog& operator=(const RequestLog&) = delete;

  void write(std::string line);  // one line, with its newline
  uint64_t dropped() const;

 private:
  void run();
  std::FILE* out_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> queue_;
  uint64_t dropped_ = 0;
  bool closing_ = false;
  std::thread thread_;
};

}  // namespace zg::api
