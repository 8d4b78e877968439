// A data directory: where the durable engine keeps a zone.
//
//   DIR/journal.db          the journal (SQLite, WAL, synchronous=FULL), or
//   DIR/store               the PostgreSQL shard that holds it instead, as
//                           `--store` named it when the directory was made
//                           (its URL without the password: store/store_spec.h)
//   DIR/packs/<hash>/       every policy pack the journal used, by hash
//   DIR/zone-signing.key    the zone's Ed25519 key for traveller credentials (0600)
//
// `zonegate replay`, `verify` and `book --data` need nothing but DIR: the
// packs that decided each command are inside it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "core/status.h"
#include "durable/audit_log.h"
#include "engine/engine.h"
#include "policy/policy.h"
#include "store/journal_store.h"
#include "store/store_spec.h"

namespace zg {

// SHA-256 over a pack directory's files (relative path, size and bytes of
// each, in path order), as hex: the pack's identity in the journal.
Result<std::string> hash_pack_dir(const std::string& pack_dir);

class DataDir {
 public:
  // Opens DIR (creating it when `create`); refuses a directory that is not
  // a Zonegate data directory, or of a newer format, without touching it.
  // `store` is `--store`'s value: "" for what the directory records (SQLite
  // for a new one), else it must be what a directory that exists records:
  // a journal never moves between stores by a flag.
  static Result<std::unique_ptr<DataDir>> open(const std::string& path, bool create,
                                               const std::string& store = "");
  ~DataDir();

  // Claims DIR for this process's writing (`who`: "zonegate serve"), until
  // it ends: an exclusive lock on DIR/lock, which names the holder. A second
  // writer (a run, a snapshot or a server on a directory a server has) is
  // refused as unavailable, naming the first, before it changes anything.
  // Readers (replay, verify, book) need no claim. A snapshot's child does
  // not hold it (a process killed while its child writes can restart at
  // once), and dies with the thread that forked it.
  Status claim_for_writing(const std::string& who);

  JournalStore& journal() { return *journal_; }
  const JournalStore& journal() const { return *journal_; }
  // The zone's credential key: created with the directory, and needed by a
  // replay, which signs the same credentials again. Null when an existing
  // directory has none (then enrolments are refused).
  std::shared_ptr<const gate::SigningKey> signing_key() const { return signing_key_; }
  const std::string& path() const { return path_; }

  // Copies a pack into DIR/packs/<hash>/ unless it is there already; returns the hash.
  Result<std::string> keep_pack(const std::string& pack_dir);
  // The pack with this hash, loaded once from DIR/packs/<hash>/.
  Result<const PolicyPack*> pack(const std::string& hash);

  // Replays the whole journal into a new engine: checks every row's hash and
  // sequence number, re-derives every result and compares it with the
  // recorded one. `progress` is called now and then with (done, total).
  // Recovery starts from the newest snapshot that loads (a damaged one is
  // reported on standard error and skipped) and replays the journal after it.
  struct Replayed {
    std::unique_ptr<Engine> engine;  // null when the journal is empty
    uint64_t commands = 0;           // replayed from the journal
    uint64_t snapshot_seq = 0;       // where the snapshot left off (0: none)
  };
  // With `take_shared`, a server's start: a newer snapshot the journal's
  // store keeps for the shard's nodes is fetched first (take_shared_snapshot).
  // The engine keeps in memory the results of the rows it replays among the
  // journal's last kRecentResultsKept; earlier ones, and those the snapshot
  // holds, it reads back from the journal for a repeat (engine.h,
  // ResultKeeping).
  static constexpr uint64_t kRecentResultsKept = 100'000;
  Result<Replayed> replay(const std::function<void(uint64_t, uint64_t)>& progress,
                          bool use_snapshots = true, bool take_shared = false);

  // A standby following its shard's owner: applies the journal's rows after
  // the engine's last (creating it at the first row), checked as replay
  // checks them; `applied` hears of each row once it is applied. The number
  // of rows applied.
  Result<uint64_t> follow(std::unique_ptr<Engine>& engine,
                          const std::function<void(const JournalEntry&)>& applied);

  // The journal's leaf hash at `seq`, as hex; "" when there is no such row.
  std::string journal_leaf(uint64_t seq) const;

  // Which store holds the journal (kind, URL, shard), as opened.
  const StoreSpec& store() const { return store_; }

  // Writes a snapshot of `engine` (whose next commands the pack `pack_hash`
  // decides) as DIR/snapshots/<seq>.snap, and keeps the two newest. With
  // `reuse_old`, it is written over the newest of those it will drop (in
  // place, after a rename: write_snapshot), which costs far less than a new
  // file; only when it is newer than every snapshot there, and never over a
  // file linked elsewhere too. A caller still reading that one (sharing it)
  // passes false.
  Status snapshot(const Engine& engine, const std::string& pack_hash, bool reuse_old = true);
  // How a snapshot child made before its last row is durable gets the
  // journal's leaf at that row, which ties the snapshot to the journal:
  // send() it once the row is durable. Destroyed unsent (the commit
  // failed), the child exits having written nothing.
  class SnapshotLeaf {
   public:
    explicit SnapshotLeaf(int socket) : socket_(socket) {}
    ~SnapshotLeaf();
    SnapshotLeaf(const SnapshotLeaf&) = delete;
    SnapshotLeaf& operator=(const SnapshotLeaf&) = delete;
    // Sends `leaf` and ends the socket (once: later calls do nothing).
    void send(std::string_view leaf);

   private:
    int socket_;
  };
  struct SnapshotChild {
    int pid = 0;
    std::shared_ptr<SnapshotLeaf> leaf;  // null when the leaf was read at the fork
  };
  // The same in a child process (fork): the child sees the state as it is
  // now, copy-on-write, and writes it while the caller goes on applying
  // commands. It exits 0 when the snapshot is written.
  //
  // Without `leaf_later`, the leaf at `last_seq` is read now: the journal
  // must hold that row, and no other thread may be writing to it just now.
  // With it, the row's commit may still be under way: the child waits for
  // the caller to send the leaf (SnapshotChild::leaf) before it touches any
  // file. So a server need not wait for its commits to drain before forking.
  Result<SnapshotChild> snapshot_in_child(const Engine& engine, const std::string& pack_hash,
                                          bool reuse_old = true, bool leaf_later = false);
  // The zone's audit log (the Merkle tree over the journal, read from it on
  // first use), whose tree heads name `zone`. A new tree head is signed at
  // most every kTreeHeadEveryMs while commits go on (a minute: 1,440 heads a
  // day at most), and at the end of each run and server.
  static constexpr int64_t kTreeHeadEveryMs = 60'000;
  Result<AuditLog*> audit_log(const std::string& zone);
  // The journal length of the newest snapshot (0: none).
  uint64_t newest_snapshot_seq() const;
  // Hands DIR's snapshot at `seq` to the journal's store, for other nodes
  // of its shard (JournalStore::keep_snapshot; SQLite keeps none). Safe on
  // a thread of its own: it touches only that file and the store's own
  // connection for it.
  Status share_snapshot(uint64_t seq);

 private:
  // Loads DIR/zone-signing.key, creating it (when `create`) for a zone that
  // has none, and checks it against the public key the journal recorded.
  Status open_signing_key(bool create);
  // DIR/snapshots/<seq>.snap.
  std::string snapshot_file(uint64_t seq) const;
  // Replay's first step on a shared store: the store's newest snapshot into
  // DIR/snapshots when it is newer than DIR's own (and not past the
  // journal); replay then checks it as any other. A failure is reported
  // and replay goes on without it.
  void take_shared_snapshot(uint64_t journal_seq);
  // Applies a journal row to `engine` (made at the first row) under the
  // pack it names, and checks it was accepted as `seq`; the engine's result
  // (valid until its next command when kept kInJournal).
  Result<std::string_view> apply_journaled(std::unique_ptr<Engine>& engine, uint64_t seq,
                                           const std::string& pack_hash,
                                           const PreparedCommand& command, ResultKeeping keeping);
  // Whether a re-derived result, made canonical, is the recorded one.
  static Status check_derived(uint64_t seq, std::string_view derived,
                              const std::string& recorded_result);
  // Both, one after the other (a standby following the journal).
  Status apply_recorded(std::unique_ptr<Engine>& engine, uint64_t seq, const std::string& pack_hash,
                        const PreparedCommand& command, const std::string& recorded_result);

  std::string path_;
  StoreSpec store_;
  std::unique_ptr<JournalStore> journal_;
  std::shared_ptr<const gate::SigningKey> signing_key_;
  std::unique_ptr<AuditLog> audit_;
  std::map<std::string, std::unique_ptr<PolicyPack>> packs_;
  int lock_fd_ = -1;  // DIR/lock, held by claim_for_writing
};

// Opens a data directory and rebuilds its zone from the journal (the
// engine is null when the journal is empty); with `progress`, a progress
// bar on a terminal.
// `use_snapshots` false replays the whole journal (replay and verify do);
// `take_shared` fetches the shard's newer snapshot first (servers do).
// A `writer` ("zonegate run") claims the directory before the replay
// (claim_for_writing).
Result<DataDir::Replayed> open_and_replay(const std::string& data, bool create,
                                          std::unique_ptr<DataDir>& dir, bool progress,
                                          bool use_snapshots = true, const std::string& store = "",
                                          bool take_shared = false, const std::string& writer = "");

// True when DIR holds a zone's journal, in either store.
bool holds_journal(const std::string& data);

// Prints a status's errors to standard error; returns exit code 2.
int report(const Status& status);

}  // namespace zg
