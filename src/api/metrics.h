// The server's figures, in the Prometheus text format (/metrics): requests
// by route and status, latency histograms, group-commit batch sizes,
// journal lag and command rejections by code. Thread-safe; counting is a
// few atomic adds, so the hot path pays nothing noticeable.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace zg::api {

// A histogram with fixed bucket bounds (seconds or counts).
class Histogram {
 public:
  static constexpr size_t kBuckets = 14;
  explicit Histogram(const std::array<double, kBuckets>& bounds) : bounds_(bounds) {}
  void observe(double value);
  // The exposition lines for `name` with `labels` ("" or `route="x"`).
  void write(std::string& out, std::string_view name, std::string_view labels) const;

 private:
  std::array<double, kBuckets> bounds_;
  std::array<std::atomic<uint64_t>, kBuckets + 1> counts_{};  // the last: +Inf
  std::atomic<uint64_t> count_{0};
  std::atomic<int64_t> sum_micro_{0};  // the sum, in millionths
};

class Metrics {
 public:
  Metrics();
  ~Metrics();
  // One request answered: its route template ("/v1/declarations/{number}"),
  // status and time taken.
  void request(std::string_view route, int status, double seconds);
  // A group commit of `entries` journal rows that took `seconds`.
  void commit(size_t entries, double seconds);
  // A command rejected with `code` (by the engine or at the door).
  void rejection(std::string_view code);
  void command(bool accepted);
  // Figures read when /metrics is asked.
  struct Gauges {
    uint64_t last_seq = 0;       // applied
    uint64_t durable_seq = 0;    // committed
    uint64_t queued = 0;         // commands waiting for the engine
    uint64_t results_bytes = 0;  // results kept in memory for repeats
    uint64_t connections_open = 0;
    uint64_t connections_total = 0;
    uint64_t timeouts = 0;
    uint64_t event_watchers = 0;
    uint64_t tokens_rate_limited = 0;
    // A node of a PostgreSQL shard (api/zone.h): written only when `leased`.
    bool leased = false;
    bool owner = false;
    uint64_t epoch = 0;
    uint64_t promotions = 0;
    uint64_t renewals_failed = 0;
    uint64_t ms_since_renewal = 0;
    uint64_t stored_seq = 0;  // the journal's last row, as the lease thread last read it
    // The SQLite journal's WAL checkpoints off the commit path
    // (store/sqlite/wal_checkpointer.h): written only when `checkpointing`.
    bool checkpointing = false;
    uint64_t checkpoints_by_thread = 0;
    uint64_t checkpoints_by_committer = 0;
    uint64_t checkpoints_failed = 0;
  };
  std::string exposition(const Gauges& gauges) const;

 private:
  struct RouteFigures;
  RouteFigures& route(std::string_view route);
  mutable std::mutex mutex_;  // guards the maps' shape, not the counts
  std::map<std::string, std::unique_ptr<RouteFigures>, std::less<>> routes_;
  std::map<std::string, std::unique_ptr<std::atomic<uint64_t>>, std::less<>> rejections_;
  Histogram commit_seconds_;
  Histogram commit_entries_;
  std::atomic<uint64_t> accepted_{0}, rejected_{0};
};

}  // namespace zg::api
