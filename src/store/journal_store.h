// The storage interface under the durable engine: an append-only journal of
// accepted commands, plus the small facts a data directory keeps about
// itself. SQLite (store/sqlite) and PostgreSQL (store/postgres) implement it
// and pass the same test suite (store/journal_store_test.cc).
//
// Not thread-safe: one writer per zone uses it.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "core/sha256.h"
#include "core/status.h"

namespace zg {

// One journal row: the command's sequence number, the entry itself as
// canonical JSON ({"command":…,"pack":…,"result":…,"seq":…}, RFC 8785) and
// its RFC 6962 leaf hash, SHA-256(0x00 || entry).
struct JournalEntry {
  uint64_t seq = 0;
  std::string entry;
  Digest leaf_hash{};
};

// A signed tree head (src/audit/tree_head.h): the Merkle root of the first
// `size` journal entries, when it was signed, and the zone's signature.
struct StoredTreeHead {
  uint64_t size = 0;
  Digest root{};
  int64_t timestamp_ms = 0;
  std::array<unsigned char, 64> signature{};
};

// The "application" a journal's meta table names, in every backend: a store
// that names another is not a Zonegate journal and is refused.
inline constexpr std::string_view kJournalApplication = "zonegate-journal";

class JournalStore {
 public:
  virtual ~JournalStore() = default;

  // Appends a batch, in one transaction, durably (fsynced) before it
  // returns OK. Sequence numbers must follow the last one without a gap.
  // On error nothing of the batch is stored.
  virtual Status append(std::span<const JournalEntry> batch) = 0;
  // The last sequence number stored (0 for an empty journal).
  virtual uint64_t last_seq() const = 0;
  // Calls `visit` for every entry from `from_seq` on, in order; stops early
  // with visit's error. Rows are returned as stored: checking is the caller's.
  virtual Status read(uint64_t from_seq,
                      const std::function<Status(const JournalEntry&)>& visit) const = 0;
  // Calls `visit` with the sequence number and leaf hash of every entry
  // from `from_seq` on (the Merkle log needs no more than these).
  virtual Status read_leaves(uint64_t from_seq,
                             const std::function<Status(uint64_t, const Digest&)>& visit) const = 0;
  // Signed tree heads, kept for good: appended durably, read in size order.
  virtual Status append_tree_head(const StoredTreeHead& head) = 0;
  virtual Status read_tree_heads(
      const std::function<Status(const StoredTreeHead&)>& visit) const = 0;
  // A small key-value table for facts about the data directory.
  virtual Status put_meta(std::string_view key, std::string_view value) = 0;
  virtual Result<std::string> get_meta(std::string_view key) const = 0;  // "" when absent

  // Snapshots kept beside the journal, for a store several nodes share
  // (PostgreSQL): a node starting without a snapshot as new as the newest
  // kept takes that one, rather than replaying the journal from further
  // back. A store on one node's disk (SQLite) keeps none: snapshots are
  // that node's files. `file` is a snapshot file as DataDir writes it.
  virtual Status keep_snapshot(uint64_t seq, const std::string& file) {
    (void)seq;
    (void)file;
    return Status::ok();
  }
  // The seq of the newest snapshot kept (0: none).
  virtual Result<uint64_t> newest_kept_snapshot() const { return uint64_t{0}; }
  // Writes the snapshot kept at `seq` to `file`.
  virtual Status fetch_snapshot(uint64_t seq, const std::string& file) const {
    (void)file;
    return Status(ErrorCode::kIoError, "", "no snapshot " + std::to_string(seq) + " is kept");
  }

  // For a journal that commits all the time while clients wait (a server's):
  // the store's own upkeep moves off the writer's thread where it can. For
  // SQLite, WAL checkpoints run on a thread of their own; the simulation
  // (src/sim), whose seeds must replay exactly, leaves them where they are.
  // An error leaves things as they were.
  virtual Status checkpoint_in_background() { return Status::ok(); }
  // What that upkeep has done, for /metrics; safe from any thread while
  // the store lives (a server's HTTP threads end before its zones).
  struct Upkeep {
    bool running = false;  // checkpoint_in_background() started it
    uint64_t checkpoints_by_thread = 0;
    uint64_t checkpoints_by_writer = 0;  // the short rests
    uint64_t checkpoints_failed = 0;
  };
  virtual Upkeep upkeep() const { return {}; }

  // Writer fencing, for a store that several nodes share (PostgreSQL): from
  // now on every append checks, inside its transaction, that the shard's
  // lease is still at `epoch`, and is refused with kFenced once another
  // node has taken it. Epoch 0 is an unleased writer (`zonegate run`), which
  // may append only while no node holds a live lease. Also re-reads the last
  // sequence number stored (a new owner follows the old one's rows).
  // A store on one node's disk (SQLite) has no leases: a no-op.
  virtual Status become_writer(uint64_t epoch) {
    (void)epoch;
    return Status::ok();
  }
};

}  // namespace zg
