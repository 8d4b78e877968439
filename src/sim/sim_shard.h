// A shard store's lease and write fence, simulated (docs/reliability.md):
// what PostgreSQL gives the nodes that share a shard (store/postgres/
// shard_lease.h and PostgresJournal's epoch check), on the simulation's
// clock, over the data directory's own journal.
//
//   SimLease       which node writes the shard, at which epoch, until which
//                  tick. It is taken only once it has expired (nobody
//                  renewed it) or was let go, and the epoch rises each time
//                  it changes hands.
//   FencedJournal  one node's handle on the shared journal: once the node
//                  is a writer (become_writer), each append is refused with
//                  kFenced unless the lease is still at the node's epoch, as
//                  the PostgreSQL backend checks inside its transaction. A
//                  deposed owner that wakes up late cannot add a row.
//
// Single-threaded as the simulation is: the lease changes only between
// commits, while every committer is idle.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "store/journal_store.h"

namespace zg::sim {

class SimLease {
 public:
  explicit SimLease(int64_t ttl_ticks) : ttl_(ttl_ticks) {}

  // Takes the lease for `node` at tick `now` if nobody holds it live: the
  // new epoch, or 0 while another node's lease runs.
  uint64_t try_acquire(int node, int64_t now);
  // Extends the lease held at `epoch` by its time to live; false once
  // another node has taken it (the caller is deposed). A lease that ran
  // out but was not taken is still the holder's, as PostgreSQL's is.
  bool renew(uint64_t epoch, int64_t now);
  // Lets it go at once (a node giving up): the next standby takes it.
  void release(uint64_t epoch);

  uint64_t epoch() const { return epoch_; }
  int holder() const { return holder_; }  // -1: nobody
  bool live(int64_t now) const { return holder_ >= 0 && now < expires_; }

 private:
  int64_t ttl_;
  uint64_t epoch_ = 0;
  int holder_ = -1;
  int64_t expires_ = 0;
};

class FencedJournal final : public JournalStore {
 public:
  // `fence` false is a broken store, for the simulation's own test: it
  // takes a deposed writer's rows.
  FencedJournal(JournalStore& shared, const SimLease& lease, bool fence)
      : shared_(shared), lease_(lease), fence_(fence) {}

  Status append(std::span<const JournalEntry> batch) override;
  Status become_writer(uint64_t epoch) override {
    epoch_ = epoch;
    return shared_.become_writer(epoch);
  }

  uint64_t last_seq() const override { return shared_.last_seq(); }
  Status read(uint64_t from_seq,
              const std::function<Status(const JournalEntry&)>& visit) const override {
    return shared_.read(from_seq, visit);
  }
  Status read_leaves(uint64_t from_seq,
                     const std::function<Status(uint64_t, const Digest&)>& visit) const override {
    return shared_.read_leaves(from_seq, visit);
  }
  Status append_tree_head(const StoredTreeHead& head) override {
    return shared_.append_tree_head(head);
  }
  Status read_tree_heads(const std::function<Status(const StoredTreeHead&)>& visit) const override {
    return shared_.read_tree_heads(visit);
  }
  Status put_meta(std::string_view key, std::string_view value) override {
    return shared_.put_meta(key, value);
  }
  Result<std::string> get_meta(std::string_view key) const override {
    return shared_.get_meta(key);
  }

 private:
  JournalStore& shared_;
  const SimLease& lease_;
  const bool fence_;
  uint64_t epoch_ = 0;  // 0 until become_writer: an unleased writer
};

}  // namespace zg::sim
