#include "api/metrics.h"

#include <cmath>
#include <cstdio>

namespace zg::api {
namespace {

constexpr std::array<double, Histogram::kBuckets> kLatencyBounds = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};
constexpr std::array<double, Histogram::kBuckets> kEntryBounds = {
    1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 16384};

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", v);
  return text;
}

}  // namespace

void Histogram::observe(double value) {
  size_t i = 0;
  while (i < kBuckets && value > bounds_[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micro_.fetch_add(static_cast<int64_t>(std::llround(value * 1e6)), std::memory_order_relaxed);
}

void Histogram::write(std::string& out, std::string_view name, std::string_view labels) const {
  const std::string sep = labels.empty() ? "" : ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= kBuckets; ++i) {
    cumulative += counts_[i].load(std::memory_order_relaxed);
    const std::string le = i < kBuckets ? number(bounds_[i]) : "+Inf";
    out += std::string(name) + "_bucket{" + std::string(labels) + sep + "le=\"" + le + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  const std::string braces = labels.empty() ? "" : "{" + std::string(labels) + "}";
  out += std::string(name) + "_sum" + braces + " " +
         number(static_cast<double>(sum_micro_.load()) / 1e6) + "\n";
  out += std::string(name) + "_count" + braces + " " + std::to_string(count_.load()) + "\n";
}

struct Metrics::RouteFigures {
  Histogram seconds{kLatencyBounds};
  std::map<int, std::unique_ptr<std::atomic<uint64_t>>> by_status;
};

Metrics::Metrics() : commit_seconds_(kLatencyBounds), commit_entries_(kEntryBounds) {}
Metrics::~Metrics() = default;

Metrics::RouteFigures& Metrics::route(std::string_view name) {
  auto it = routes_.find(name);
  if (it == routes_.end()) {
    it = routes_.emplace(std::string(name), std::make_unique<RouteFigures>()).first;
  }
  return *it->second;
}

void Metrics::request(std::string_view name, int status, double seconds) {
  std::atomic<uint64_t>* counter;
  RouteFigures* figures;
  {
    std::lock_guard lock(mutex_);
    figures = &route(name);
    auto& slot = figures->by_status[status];
    if (slot == nullptr) slot = std::make_unique<std::atomic<uint64_t>>(0);
    counter = slot.get();
  }
  counter->fetch_add(1, std::memory_order_relaxed);
  figures->seconds.observe(seconds);
}

void Metrics::commit(size_t entries, double seconds) {
  commit_entries_.observe(static_cast<double>(entries));
  commit_seconds_.observe(seconds);
}

void Metrics::rejection(std::string_view code) {
  std::lock_guard lock(mutex_);
  auto it = rejections_.find(code);
  if (it == rejections_.end()) {
    it = rejections_.emplace(std::string(code), std::make_unique<std::atomic<uint64_t>>(0)).first;
  }
  it->second->fetch_add(1, std::memory_order_relaxed);
}

void Metrics::command(bool accepted) {
  (accepted ? accepted_ : rejected_).fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::exposition(const Gauges& g) const {
  std::string out;
  const auto gauge = [&](const char* name, const char* help, const char* type, uint64_t value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
           name + " " + std::to_string(value) + "\n";
  };
  gauge("zonegate_journal_seq", "Sequence number of the last command applied.", "gauge",
        g.last_seq);
  gauge("zonegate_journal_durable_seq", "Sequence number of the last command committed.", "gauge",
        g.durable_seq);
  gauge("zonegate_journal_lag", "Commands applied but not yet committed.", "gauge",
        g.last_seq - std::min(g.last_seq, g.durable_seq));
  gauge("zonegate_queue_commands", "Commands waiting for the engine.", "gauge", g.queued);
  gauge("zonegate_results_kept_bytes",
        "Bytes of results kept in memory for repeats (the latest --results-kept commands', "
        "and held declarations').",
        "gauge", g.results_bytes);
  gauge("zonegate_connections_open", "Open HTTP connections.", "gauge", g.connections_open);
  gauge("zonegate_connections_total", "HTTP connections accepted.", "counter", g.connections_total);
  gauge("zonegate_http_timeouts_total", "Connections closed for being idle or slow.", "counter",
        g.timeouts);
  gauge("zonegate_event_watchers", "Open event streams.", "gauge", g.event_watchers);
  if (g.leased) {
    gauge("zonegate_lease_owner", "1 when this node holds its shard's lease and takes commands.",
          "gauge", g.owner ? 1 : 0);
    gauge("zonegate_lease_epoch", "The epoch of the lease this node holds (0: none).", "gauge",
          g.epoch);
    gauge("zonegate_lease_promotions_total", "Times this node took over its shard.", "counter",
          g.promotions);
    gauge("zonegate_lease_renewals_failed_total",
          "Lease renewals that could not reach the database.", "counter", g.renewals_failed);
    gauge("zonegate_lease_ms_since_renewal", "Milliseconds since the lease was last renewed.",
          "gauge", g.owner ? g.ms_since_renewal : 0);
    gauge("zonegate_replication_lag", "Journal rows stored but not yet applied by this node.",
          "gauge", g.stored_seq - std::min(g.stored_seq, g.last_seq));
  }
  if (g.checkpointing) {
    out +=
        "# HELP zonegate_wal_checkpoints_total WAL checkpoints of the SQLite journal, by who made "
        "them: the checkpoint thread, or the committer copying the short rest.\n"
        "# TYPE zonegate_wal_checkpoints_total counter\n"
        "zonegate_wal_checkpoints_total{by=\"thread\"} " +
        std::to_string(g.checkpoints_by_thread) +
        "\n"
        "zonegate_wal_checkpoints_total{by=\"committer\"} " +
        std::to_string(g.checkpoints_by_committer) + "\n";
    gauge("zonegate_wal_checkpoint_failures_total",
          "WAL checkpoints that failed (the WAL grows until one succeeds).", "counter",
          g.checkpoints_failed);
  }
  gauge("zonegate_rate_limited_total", "Requests refused by a token's rate limit.", "counter",
        g.tokens_rate_limited);
  gauge("zonegate_commands_accepted_total", "Commands accepted (repeats included).", "counter",
        accepted_.load());
  gauge("zonegate_commands_rejected_total", "Commands rejected.", "counter", rejected_.load());

  std::lock_guard lock(mutex_);
  out += "# HELP zonegate_rejections_total Commands rejected, by error code.\n";
  out += "# TYPE zonegate_rejections_total counter\n";
  for (const auto& [code, count] : rejections_) {
    out +=
        "zonegate_rejections_total{code=\"" + code + "\"} " + std::to_string(count->load()) + "\n";
  }
  out += "# HELP zonegate_http_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE zonegate_http_requests_total counter\n";
  for (const auto& [name, figures] : routes_) {
    for (const auto& [status, count] : figures->by_status) {
      out += "zonegate_http_requests_total{route=\"" + name + "\",status=\"" +
             std::to_string(status) + "\"} " + std::to_string(count->load()) + "\n";
    }
  }
  out += "# HELP zonegate_http_request_seconds Time from a request read to its answer.\n";
  out += "# TYPE zonegate_http_request_seconds histogram\n";
  for (const auto& [name, figures] : routes_) {
    figures->seconds.write(out, "zonegate_http_request_seconds", "route=\"" + name + "\"");
  }
  out += "# HELP zonegate_commit_entries Journal rows per group commit.\n";
  out += "# TYPE zonegate_commit_entries histogram\n";
  commit_entries_.write(out, "zonegate_commit_entries", "");
  out += "# HELP zonegate_commit_seconds Time of a group commit (fsync included).\n";
  out += "# TYPE zonegate_commit_seconds histogram\n";
  commit_seconds_.write(out, "zonegate_commit_seconds", "");
  return out;
}

}  // namespace zg::api
