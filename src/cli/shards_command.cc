// zonegate shards: the shards of a PostgreSQL database, who writes each
// (the lease's holder and epoch), and how far behind each node is.
//
//   zonegate shards --store postgresql://USER@HOST:PORT/DB[?shard=NAME] [--json]
//   zonegate shards --data DIR [--json]      (the store DIR records)
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>

#include "cli/commands.h"
#include "core/json.h"
#include "durable/data_dir.h"
#include "store/postgres/shard_lease.h"
#include "store/store_spec.h"

namespace zg::cli {
namespace shards_cmd {  // this command's own names (commands.h says why)
namespace {

// A node that has not reported for this long is shown as silent (a node
// reports at least every lease period; a minute covers any sensible one).
constexpr int64_t kSilentAfterMs = 60'000;

// The role to show: only the live lease's holder is the owner, whatever a
// node last said; a node long silent has stopped or lost the database.
std::string role_of(const NodeState& node, const ShardState& shard) {
  if (node.seen_ms_ago > kSilentAfterMs) return "silent";
  if (shard.lease.expires_in_ms > 0 && node.node == shard.lease.holder) return "owner";
  return "standby";
}

constexpr const char* kUsage =
    "usage: zonegate shards --store postgresql://USER@HOST:PORT/DB[?shard=NAME] [--json]\n"
    "       zonegate shards --data DIR [--json]\n";

// "in 2.4 s", "2.4 s ago", "released" for a lease's expiry.
std::string expiry(const LeaseState& lease) {
  char text[48];
  if (lease.expires_in_ms <= -1'000'000'000) return "released";
  if (lease.expires_in_ms >= 0) {
    std::snprintf(text, sizeof text, "for %.1f s more",
                  static_cast<double>(lease.expires_in_ms) / 1000);
  } else {
    std::snprintf(text, sizeof text, "expired %.1f s ago",
                  static_cast<double>(-lease.expires_in_ms) / 1000);
  }
  return text;
}

void print_json(const ShardState& shard) {
  std::string line;
  JsonWriter w(line);
  w.begin_object();
  w.key("shard").string(shard.shard);
  w.key("last_seq").number(static_cast<int64_t>(shard.last_seq));
  w.key("owner").string(shard.lease.expires_in_ms > 0 ? shard.lease.holder : "");
  w.key("address").string(shard.lease.address);
  w.key("epoch").number(static_cast<int64_t>(shard.lease.epoch));
  w.key("lease_expires_in_ms").number(shard.lease.expires_in_ms);
  w.key("nodes").begin_array();
  for (const NodeState& node : shard.nodes) {
    w.begin_object();
    w.key("node").string(node.node);
    w.key("address").string(node.address);
    w.key("role").string(role_of(node, shard));
    w.key("applied_seq").number(static_cast<int64_t>(node.applied_seq));
    w.key("lag").number(
        static_cast<int64_t>(shard.last_seq - std::min(shard.last_seq, node.applied_seq)));
    w.key("seen_ms_ago").number(node.seen_ms_ago);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  std::printf("%s\n", line.c_str());
}

void print_text(const ShardState& shard) {
  const bool live = shard.lease.expires_in_ms > 0;
  std::printf("shard %s: journal at seq %llu; %s\n", shard.shard.c_str(),
              static_cast<unsigned long long>(shard.last_seq),
              shard.lease.holder.empty()
                  ? "no node has held its lease"
                  : ((live ? "owned by " : "last owned by ") + shard.lease.holder + " (" +
                     shard.lease.address + "), epoch " + std::to_string(shard.lease.epoch) +
                     ", lease " + expiry(shard.lease))
                        .c_str());
  for (const NodeState& node : shard.nodes) {
    const uint64_t lag = shard.last_seq - std::min(shard.last_seq, node.applied_seq);
    std::printf("  %-24s %-8s applied %llu (lag %llu), seen %.1f s ago\n", node.node.c_str(),
                role_of(node, shard).c_str(), static_cast<unsigned long long>(node.applied_seq),
                static_cast<unsigned long long>(lag), static_cast<double>(node.seen_ms_ago) / 1000);
  }
}

}  // namespace
}  // namespace shards_cmd

int shards_command(const Args& args) {
  using namespace shards_cmd;
  std::string store, data;
  bool json = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--json") {
      json = true;
    } else if (args[i] == "--store" && i + 1 < args.size()) {
      store = std::string(args[++i]);
    } else if (args[i] == "--data" && i + 1 < args.size()) {
      data = std::string(args[++i]);
    } else {
      std::fputs(kUsage, stderr);
      return 2;
    }
  }
  if (store.empty() == data.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  if (!data.empty()) {
    std::ifstream recorded(data + "/store");
    std::getline(recorded, store);
    if (store.empty()) {
      std::fprintf(stderr, "zonegate shards: %s keeps no PostgreSQL store (no %s/store)\n",
                   data.c_str(), data.c_str());
      return 2;
    }
  }
  Result<StoreSpec> spec = parse_store_spec(store);
  if (!spec.is_ok()) return report(spec.status());
  if (spec->kind != StoreSpec::Kind::kPostgres) {
    std::fputs("zonegate shards: shards live in PostgreSQL; SQLite holds one zone\n", stderr);
    return 2;
  }
  PostgresOptions options;
  options.url = spec->url;
  options.shown = spec->recorded;
  Result<std::vector<ShardState>> shards = ShardLease::list(options);
  if (!shards.is_ok()) return report(shards.status());
  // A URL naming a shard shows that one; the default name shows them all.
  const bool one = store.find("shard=") != std::string::npos;
  size_t shown = 0;
  for (const ShardState& shard : *shards) {
    if (one && shard.shard != spec->shard) continue;
    json ? print_json(shard) : print_text(shard);
    ++shown;
  }
  if (shown == 0) {
    std::fprintf(stderr, "zonegate shards: no Zonegate shard%s in %s\n",
                 one ? (" " + spec->shard).c_str() : "", spec->recorded.c_str());
    return 1;
  }
  return 0;
}

}  // namespace zg::cli
