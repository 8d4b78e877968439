// A shard store's lease and write fence, simulated (docs/reliability.md):
// what PostgreSQL gives the nodes that share a shard (store/postgres/
// shard_lease.h and PostgresJournal's checks), on the simulation's clock,
// over the data directory's own journal.
//
//   SimLease       which node writes the shard, at which epoch, until which
//                  tick. It is taken only once it has run out (nobody
//                  renewed it) or was let go, and the epoch rises each time
//                  it is taken.
//   FencedJournal  one node's handle on the shared journal. Once the node
//                  is a writer (become_writer: it also reads where the
//                  journal ends), each append is refused with kFenced
//                  unless the lease is still at the node's epoch, and with
//                  kCorruption if another writer added rows since, as the
//                  PostgreSQL backend checks inside its transaction. A
//                  deposed owner that wakes up late cannot add a row.
//
// What the real store does and this does not: the fence check and the
// commit are one transaction there (the lease row locked against a taker,
// which ends the old writer's session); here nothing runs between them, so
// the race cannot arise. Single-threaded as the simulation is: the lease
// changes only between commits, while every committer is idle.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "store/journal_store.h"

namespace zg::sim {

class SimLease {
 public:
  explicit SimLease(int64_t ttl_ticks) : ttl_(ttl_ticks) {}

  // The simulation's clock moves on (one tick a step).
  void set_now(int64_t now) { now_ = now; }

  // Takes the lease for `node` if it has run out or was let go: the new
  // epoch, or 0 while a lease runs. (As PostgreSQL's: taken once its end
  // is in the past, so a lease renewed at tick t runs through t + ttl.)
  uint64_t try_acquire(int node);
  // Extends the lease held at `epoch` by its time to live; false once
  // another node has taken it (the caller is deposed). A lease that ran
  // out or was let go, but not taken, is still the holder's.
  bool renew(uint64_t epoch);
  // Ends it now (a node giving up): any node may take it at once.
  void release(uint64_t epoch);

  uint64_t epoch() const { return epoch_; }
  int holder() const { return holder_; }  // the node that took it last; -1: nobody yet
  bool live() const { return holder_ >= 0 && now_ <= expires_; }

 private:
  int64_t ttl_;
  int64_t now_ = 0;
  uint64_t epoch_ = 0;
  int holder_ = -1;
  int64_t expires_ = -1;
};

// An append that reached the journal, with the writer's epoch and the
// lease's at that moment: the simulation checks they agree.
struct LandedAppend {
  uint64_t first_seq = 0, last_seq = 0;
  uint64_t writer_epoch = 0, lease_epoch = 0;
};

class FencedJournal final : public JournalStore {
 public:
  // `fence` false is a broken store, for the simulation's own test: it
  // takes a deposed writer's rows whenever they follow the journal's end.
  FencedJournal(JournalStore& shared, const SimLease& lease, bool fence)
      : shared_(shared), lease_(lease), fence_(fence) {}

  Status append(std::span<const JournalEntry> batch) override;
  Status become_writer(uint64_t epoch) override;
  // Appends that landed since the last call (in order), and forgets them.
  std::vector<LandedAppend> take_landed();

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
  uint64_t epoch_ = 0;     // 0 until become_writer: an unleased writer
  uint64_t last_seq_ = 0;  // where this writer knows the journal ends
  std::vector<LandedAppend> landed_;
};

}  // namespace zg::sim
