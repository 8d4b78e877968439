// A shard's lease in PostgreSQL: which node writes the shard's journal, at
// which epoch, until when. One row per shard (the `lease` table next to its
// journal):
//
//   holder, address   the node that writes, and where its API listens
//   epoch             raised by one each time the lease changes hands
//   expires_at        PostgreSQL's clock: nodes' clocks never decide
//
// A node takes the lease only once it has expired (or was released), and
// keeps it by renewing well before it does. The epoch is what makes this
// safe when a node stops without knowing (paused, cut off): every journal
// append checks it (PostgresJournal::become_writer), so a deposed owner that
// wakes up cannot add a row, however late.
//
// Each node also reports itself in the `nodes` table (role, epoch, the last
// journal row it has applied), which `zonegate shards` reads for lag.
// Has its own connection: a renewal never waits behind a long append.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/postgres/postgres_journal.h"

namespace zg {

struct LeaseState {
  std::string holder;   // "" when no node has held it
  std::string address;  // the holder's API, e.g. http://10.0.0.5:8080
  uint64_t epoch = 0;
  int64_t expires_in_ms = 0;  // negative once expired
};

// One node as it last reported itself.
struct NodeState {
  std::string node, address, role;
  uint64_t epoch = 0;
  uint64_t applied_seq = 0;
  int64_t seen_ms_ago = 0;
};

// A shard as `zonegate shards` shows it.
struct ShardState {
  std::string shard;
  uint64_t last_seq = 0;
  LeaseState lease;
  std::vector<NodeState> nodes;
};

class ShardLease {
 public:
  // `node` names this node (unique among the shard's nodes); `address` is
  // where clients reach it. Tries to connect for options.connect_retry_ms.
  static Result<std::unique_ptr<ShardLease>> open(const PostgresOptions& options, std::string node,
                                                  std::string address, int ttl_ms);
  ~ShardLease();

  // Takes the lease if it has expired or was released: the new epoch, or 0
  // while another node holds it.
  Result<uint64_t> try_acquire();
  // Extends the lease held at `epoch` by the ttl: false once it is no
  // longer this node's (another took it), which ends its writing.
  Result<bool> renew(uint64_t epoch);
  // Lets the lease go at once (a clean shutdown): a standby takes over
  // without waiting for it to expire.
  Status release(uint64_t epoch);
  Result<LeaseState> read();
  // Records this node's role ("owner" or "standby"), epoch and progress;
  // returns the journal's last seq (a standby's lag is the difference).
  Result<uint64_t> report(const std::string& role, uint64_t epoch, uint64_t applied_seq);

  int ttl_ms() const { return ttl_ms_; }
  const std::string& node() const { return node_; }

  // Every Zonegate shard in the database with its lease and nodes.
  static Result<std::vector<ShardState>> list(const PostgresOptions& options);

 private:
  struct Impl;
  ShardLease(std::unique_ptr<Impl> impl, std::string node, int ttl_ms);
  std::unique_ptr<Impl> impl_;
  std::string node_;
  std::string address_;
  int ttl_ms_;
};

}  // namespace zg
