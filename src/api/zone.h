// The zone behind the server: the durable engine on its own thread.
//
// I/O threads hand it work: commands (prepared and checked at the door) and
// reads (functions of the engine's state). The zone thread takes whatever
// is waiting, applies the commands in order, runs the reads, and hands the
// lot to the committer as one group; answers go out only once the group is
// durable. A read answered after the commands before it are durable never
// shows a command that a crash could still take back.
//
// On PostgreSQL a zone is one node of its shard. A second thread keeps the
// shard's lease: a standby tries to take it once it has expired, an owner
// renews it. A standby follows the journal (applying the owner's rows as
// replay does, so its reads are the owner's state a moment ago) and sends
// commands to the owner (307); once it takes the lease it reads the tail,
// fences the journal with the new epoch and takes commands. An owner that
// finds its lease taken (or an append fenced) steps down to standby,
// rebuilding its state from the journal if it had applied more than the
// journal holds. On SQLite the zone is always the owner.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/door.h"
#include "api/events.h"
#include "api/http.h"
#include "api/metrics.h"
#include "durable/committer.h"
#include "durable/data_dir.h"
#include "store/postgres/shard_lease.h"

namespace zg::api {

struct ZoneOptions {
  size_t commit_max = 4096;           // journal rows per transaction, at most
  uint64_t snapshot_every = 100'000;  // commands between snapshots
  // The latest commands whose results stay in memory for repeats (older
  // ones, once durable, are read from the journal): as a replay keeps.
  uint64_t results_kept = DataDir::kRecentResultsKept;
  size_t queued_commands_max = 200'000;  // beyond this the zone answers 503
  std::string store;                     // --store: "" for what the data directory records
  // A node of a PostgreSQL shard (join_shard):
  std::string advertise;  // where clients reach this node: http://HOST:PORT
  int lease_ms = 3'000;   // the lease's time to live: a dead owner is replaced after it
  int follow_ms = 100;    // how often a standby reads the journal's new rows
};

class Zone {
 public:
  // Opens the data directory, recovers the zone (snapshot and journal
  // tail) and decides new commands under `pack_dir` (kept in the
  // directory). Without `pack_dir`, the pack the journal used last.
  static Result<std::unique_ptr<Zone>> open(const std::string& data_dir,
                                            const std::string& pack_dir, ZoneOptions options,
                                            EventHub& events, Metrics& metrics);
  ~Zone();
  Zone(const Zone&) = delete;

  // On a PostgreSQL store the shard has one writer, the lease's holder
  // (store/postgres/shard_lease.h), and every other node is a standby.
  // A zone opens as an unleased writer (it may write while no node holds
  // the lease: `zonegate simulate`); a server joins the shard as the node
  // `node`, reached at `advertise`, before any command is submitted, and
  // is a standby until the lease is its own. On SQLite: nothing to do.
  Status join_shard(const std::string& node, const std::string& advertise);
  Zone& operator=(const Zone&) = delete;

  // Commands from one request. `done` gets the results (one per command, in
  // order) once they are durable, or an error (journal failed, zone busy).
  struct Submission {
    std::vector<DoorCommand> commands;
    std::string role;  // for the at_out_of_window message
    std::optional<AtWindow> window;
    int64_t received_at = 0;  // unix seconds
    bool json_lines = false;  // results one per line, each ending in a newline
    // Gets the results (the one result, or JSON Lines) once durable, or an error.
    std::function<void(const Status&, std::string results)> done;
    // Room for the results, reserved by submit() on the sender's thread: its
    // memory is then the sender's (an HTTP thread's is never shared with a
    // snapshot's child, core/unshared_heap.h), not the engine's, whose
    // every page a live child would have copied when first written.
    std::string results_room;
  };
  void submit(Submission submission);

  // A read of the zone's state, run on the zone's thread; its response is
  // sent once every command before it is durable.
  using View = std::function<HttpResponse(const Engine&)>;
  void read(View view, Reply reply);

  // The pack that decides new commands (read-only; safe from any thread).
  const PolicyPack& pack() const { return *pack_; }
  const std::string& pack_hash() const { return pack_hash_; }
  // The Merkle log over the journal (thread-safe; holds only what is durable).
  const AuditLog& audit() const { return *audit_; }
  uint64_t last_seq() const { return last_seq_.load(); }
  uint64_t durable_seq() const { return durable_seq_.load(); }
  // Bytes of results the engine keeps in memory (as of its last batch).
  uint64_t results_bytes() const { return results_bytes_.load(); }
  size_t queued() const { return queued_.load(); }
  // False once a commit failed: the zone answers 503 and should be restarted.
  bool healthy() const { return healthy_.load(); }
  // True when this node takes commands (always, on SQLite).
  bool is_owner() const { return owner_.load(); }
  // The zone's name among a node's shards: its PostgreSQL shard, or on
  // SQLite its pack's zone id.
  std::string shard_name() const;
  // Where the shard's owner listens, as its lease says ("" unknown).
  std::string owner_address() const;
  // Where a refused command should go instead: the owner, never this node ("" for none).
  std::string redirect_address() const;
  // The lease's figures, for /metrics.
  struct ShardFigures {
    bool leased = false;  // a PostgreSQL shard with leases
    bool owner = true;
    uint64_t epoch = 0;
    uint64_t promotions = 0;
    uint64_t renewals_failed = 0;
    double seconds_since_renewal = 0;
    uint64_t stored_seq = 0;  // the journal's last row, as last read
  };
  ShardFigures shard_figures() const;
  // The journal's background upkeep (its WAL checkpoints), for /metrics.
  JournalStore::Upkeep journal_upkeep() const { return dir_->journal().upkeep(); }
  // Finishes the work queued, commits it, writes a snapshot and stops the
  // zone's thread; later work is answered 503.
  void drain();

 private:
  Zone() = default;
  struct Job {
    std::optional<Submission> commands;
    View view;
    Reply reply;
  };
  struct Answer;
  void run();
  // The lease's thread: takes, renews, releases the shard's lease.
  void keep_lease();
  // On the zone's thread: a standby applies the journal's new rows; takes
  // over as owner at `epoch`; an owner steps down.
  Status follow();
  void promote(uint64_t epoch);
  void step_down();
  // Jobs reaching a standby: commands refused (sent to the owner), reads answered.
  void serve_as_standby(std::deque<Job>& work);
  // Why a standby takes no commands, naming the owner.
  std::string standby_refusal() const;
  void make_committer();
  void apply(Submission& submission, std::vector<PendingEntry>& entries, std::vector<Event>& events,
             Answer& answer);
  Event event_for(const PreparedCommand& command, uint64_t seq, std::string_view result) const;
  // The engine lets go of the results it keeps of durable commands older
  // than the last options_.results_kept: a repeat of one reads its row. A
  // server's memory for results so stays flat.
  void release_old_results();
  // A snapshot every snapshot_every commands, written by a child process
  // so the zone does not stop; `force` (shutdown) writes one here and now.
  void maybe_snapshot(bool force);
  // Collects a finished snapshot child; with `wait`, waits for it.
  void reap_snapshot(bool wait);
  // Kills the snapshot child under way, if any (a stop that must not wait).
  void give_up_snapshot();
  // The owner of a shared shard hands the snapshot at `seq` to the store.
  void share_snapshot(uint64_t seq, bool wait);

  std::unique_ptr<DataDir> dir_;
  std::unique_ptr<Engine> engine_;
  const PolicyPack* pack_ = nullptr;
  std::string pack_hash_;
  ZoneOptions options_;
  EventHub* events_ = nullptr;
  Metrics* metrics_ = nullptr;
  AuditLog* audit_ = nullptr;  // the data directory's Merkle log
  std::unique_ptr<Committer> committer_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Job> jobs_;
  bool draining_ = false;
  std::atomic<size_t> queued_{0};
  std::atomic<uint64_t> last_seq_{0}, durable_seq_{0};
  std::atomic<uint64_t> results_bytes_{0};
  std::atomic<bool> healthy_{true};
  uint64_t snapshot_seq_ = 0;
  int snapshot_child_ = 0;  // pid of the child writing a snapshot, or 0
  uint64_t snapshot_child_seq_ = 0;
  std::thread thread_;
  std::thread snapshot_share_;        // handing a snapshot to the store (share_snapshot)
  std::atomic<bool> sharing_{false};  // snapshot_share_ is still at it

  // The shard's lease (PostgreSQL only; null on SQLite).
  std::unique_ptr<ShardLease> lease_;
  std::thread lease_thread_;
  std::condition_variable lease_wake_;  // with mutex_: the lease thread's sleep
  bool lease_stop_ = false;             // GUARDED_BY(mutex_)
  std::atomic<bool> owner_{true};
  std::atomic<uint64_t> epoch_{0};          // the lease held, 0: none (the lease thread's)
  std::atomic<uint64_t> promote_to_{0};     // the lease was taken at this epoch: take over
  std::atomic<bool> deposed_{false};        // the lease was lost: step down
  std::atomic<bool> give_up_lease_{false};  // taking over failed: release the lease
  std::atomic<uint64_t> promotions_{0}, renewals_failed_{0}, stored_seq_{0};
  std::atomic<int64_t> renewed_at_ms_{0};  // steady clock
  mutable std::mutex owner_mutex_;
  std::string owner_address_;  // GUARDED_BY(owner_mutex_)
};

}  // namespace zg::api
