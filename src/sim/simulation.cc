#include "sim/simulation.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "audit/merkle.h"
#include "core/hex.h"
#include "core/json.h"
#include "core/sha256.h"
#include "demo/gate_day.h"
#include "demo/rng.h"
#include "durable/committer.h"
#include "durable/data_dir.h"
#include "engine/engine.h"
#include "engine/journal_entry.h"
#include "gate/credential.h"
#include "sim/sim_disk.h"
#include "sim/sim_shard.h"

namespace fs = std::filesystem;

namespace zg::sim {

namespace {

constexpr std::string_view kPartner = "MACAO-CUSTOMS";  // has profiles in the Hengqin pack
constexpr int kDrainStepsMax = 60;  // quiet steps for the outbox to empty, at most

// A command on its way to the zone: its text and, for one of the generated
// day's own, its index there (its result feeds the gate day); -1 for a
// changed or repeated one.
struct Outgoing {
  std::string text;
  int64_t original = -1;
};

// A node of the zone, as a server holds it. The nodes share the data
// directory's journal (through their FencedJournal), as a shard's nodes
// share its store.
struct Node {
  std::unique_ptr<Engine> engine;          // the journal's zone, or ahead while it holds a batch
  std::unique_ptr<FencedJournal> journal;  // its writes, fenced by the lease
  std::unique_ptr<Committer> committer;    // while it owns the lease
  uint64_t epoch = 0;                      // the lease's epoch it writes at; 0: a standby
  int64_t paused_until = -1;               // a stopped process: the tick it runs again
  int64_t barred_until = -1;               // after giving its lease up: others first
  // What it applied just before it stopped, committed when it runs again
  // (if the fence lets it).
  std::vector<PendingEntry> held;
  std::vector<JournalEntry> held_rows;
  // The process ends: the committer's thread first (it holds views of the
  // engine's results).
  void stop() {
    committer.reset();
    engine.reset();
    epoch = 0;
    paused_until = -1;
    barred_until = -1;
    held.clear();
    held_rows.clear();
  }
};

class Simulation {
 public:
  Simulation(const PolicyPack& pack, const SimOptions& options, uint64_t seed)
      : pack_(pack),
        options_(options),
        disk_(SimDisk::install()),
        rng_(seed * 0x9E37 + 1),
        lease_(options.lease_ttl_steps) {
    report_.seed = seed;
    disk_.reset(seed);
    disk_.set_lying_fsync(options.lying_fsync);
    dir_ = (fs::path(options.scratch_dir) / ("seed-" + std::to_string(seed))).string();
  }

  SeedReport run() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
    if (!place_zone_key()) return report_;
    make_business_day();
    if (start()) {
      // The day's commands, then quiet steps until the partner has every
      // message (the link still loses some, the power still fails).
      // Steps count against the day only when a node could write.
      int quiet_from = -1, ownerless = 0;
      for (int i = 0; report_.passed();) {
        if (day_done()) {
          if (quiet_from < 0) quiet_from = i;
          const Node* owner = owner_node();
          if ((owner != nullptr && owner->engine->state().outbox.empty()) ||
              i >= quiet_from + kDrainStepsMax) {
            break;
          }
        } else if (i >= options_.steps) {
          break;  // the day did not fit: no end-of-day check
        }
        ++report_.steps;
        if (!tick()) break;
        Node* owner = owner_node();
        if (owner == nullptr) {
          // Nobody may write until the lease runs out: the commands wait.
          ++report_.ownerless_steps;
          ++ownerless;
          if (!check(ownerless <= 2 * options_.lease_ttl_steps + 2,
                     "no node has taken the lease for " + std::to_string(ownerless) + " steps")) {
            break;
          }
          continue;
        }
        ownerless = 0;
        ++i;
        if (!step(*owner)) break;
      }
      report_.day_unfinished = !day_done();
      if (report_.passed() && day_done()) {
        // The zone as its journal has it (a node may be stopped holding a batch).
        std::unique_ptr<Engine> zone = empty_engine();
        const Result<uint64_t> followed = data_->follow(zone, {});
        if (check(followed.is_ok(), "the journal cannot be replayed at the end of the day")) {
          check(zone->state().outbox.empty(), std::to_string(zone->state().outbox.size()) +
                                                  " messages never reached the partner in " +
                                                  std::to_string(kDrainStepsMax) + " quiet steps");
        }
      }
    }
    stop();
    Sha256 history;
    for (const std::string& row : acknowledged_) history.update(row);
    report_.history = to_hex(history.finish());
    report_.sectors_lost = disk_.counters().sectors_lost;
    report_.sectors_kept = disk_.counters().sectors_kept;
    if (report_.passed()) fs::remove_all(dir_, ignored);  // a failure's directory is kept to read
    return report_;
  }

 private:
  bool fail(std::string what) {
    report_.failure = "step " + std::to_string(report_.steps) + ": " + std::move(what);
    return false;
  }
  bool check(bool holds, const std::string& what) {
    ++report_.checks;
    return holds || fail(what);
  }

  // The zone's credential key, from the seed (a new data directory would
  // make a random one, and credentials in results would differ run to run),
  // placed where DataDir looks for it before it makes the directory.
  bool place_zone_key() {
    std::error_code error;
    fs::create_directories(fs::path(dir_) / "packs", error);
    demo::Rng key_rng(report_.seed ^ 0x6B65'7900'0000'0000ULL);
    std::string seed_bytes(gate::kSeedBytes, '\0');
    for (char& c : seed_bytes) c = static_cast<char>(key_rng.next());
    Result<gate::SigningKey> key = gate::SigningKey::from_seed(seed_bytes);
    const std::string path = (fs::path(dir_) / "zone-signing.key").string();
    if (error || !key.is_ok() || !gate::write_signing_key(path, *key).is_ok()) {
      return fail("cannot write " + path);
    }
    return true;
  }

  // ---- the zone's traffic --------------------------------------------------

  demo::GateDayOptions day_options() const {
    demo::GateDayOptions day;
    day.business.seed = report_.seed;
    day.business.enterprises = options_.enterprises;
    day.business.declarations = options_.declarations;
    day.business.bad_per_thousand = 40;
    day.travellers = options_.travellers;
    day.cars = options_.cars;
    return day;
  }

  void make_business_day() {
    preparation_ = demo::make_gate_preparation(pack_, day_options());
    results_.assign(preparation_.size(), "");
    queue_.push_back({register_partner(), -1});
    enqueue(preparation_, 0);
  }

  // Macao's administration, a partner of the zone: first-line declarations
  // and joint inspections are shared with it (the pack's profiles).
  static std::string register_partner() {
    const gate::SigningKey key =
        gate::SigningKey::from_seed(std::string(gate::kSeedBytes, '\x4d')).value();
    const gate::PublicKey sign = key.public_key();
    const std::array<unsigned char, 32> box = key.box_public_key();
    return std::string(R"({"type":"register_partner","id":"sim-partner","at":)") +
           R"("2024-09-02T06:00:00+08:00","partner":")" + std::string(kPartner) +
           R"(","name":"Macao Customs","sign_key":")" + hex_encode(sign.data(), sign.size()) +
           R"(","box_key":")" + hex_encode(box.data(), box.size()) +
           R"(","inbox":"http://127.0.0.1:9/v1/exchange/inbox"})";
  }

  // Phase two (the gates) once every command of phase one has its result.
  bool make_gate_day() {
    gate_day_made_ = true;
    Result<std::vector<std::string>> day =
        demo::make_gate_day(pack_, day_options(), preparation_, results_);
    if (!day.is_ok()) return fail("the gate day cannot be made: " + day.status().first().message);
    enqueue(*day, -1);
    return true;
  }

  // Queues commands, changing some on the way as a careless or hostile
  // sender would: a byte changed, the text cut short, an earlier command
  // sent again, or the same id with different content. The original goes too.
  void enqueue(const std::vector<std::string>& commands, int64_t first_index) {
    for (size_t i = 0; i < commands.size(); ++i) {
      const std::string& text = commands[i];
      if (rng_.percent(options_.hostile_percent) && !text.empty()) {
        std::string changed = text;
        switch (rng_.below(4)) {
          case 0: changed[rng_.index(changed.size())] = static_cast<char>(rng_.below(256)); break;
          case 1: changed.resize(rng_.index(changed.size())); break;
          case 2: changed = commands[rng_.index(i + 1)]; break;
          default: {
            const size_t at = changed.find("\"at\":\"");
            if (at != std::string::npos)
              changed[at + 6 + 3] = '9';  // "2029-": another command, same id
            break;
          }
        }
        queue_.push_back({std::move(changed), -1});
      }
      queue_.push_back({text, first_index < 0 ? -1 : first_index + static_cast<int64_t>(i)});
    }
  }

  // ---- the nodes -------------------------------------------------------------

  // The zone's data directory opened (recovered from its newest snapshot
  // and journal) and both nodes started as standbys: the first with the
  // recovered zone, the second following the journal from its first row.
  bool start() {
    Result<DataDir::Replayed> replayed =
        open_and_replay(dir_, true, data_, /*progress=*/false, /*use_snapshots=*/true);
    if (!replayed.is_ok()) return fail("recovery refused: " + replayed.status().first().message);
    Result<std::string> hash = data_->keep_pack(options_.pack_dir);
    if (!hash.is_ok()) return fail("the pack: " + hash.status().first().message);
    Result<const PolicyPack*> pack = data_->pack(*hash);
    if (!pack.is_ok()) return fail("the pack: " + pack.status().first().message);
    pack_hash_ = *hash;
    zone_pack_ = *pack;
    for (Node& node : nodes_) {
      node.journal = std::make_unique<FencedJournal>(data_->journal(), lease_, options_.fence);
    }
    nodes_[0].engine = std::move(replayed).value().engine;
    if (nodes_[0].engine == nullptr) nodes_[0].engine = empty_engine();
    nodes_[1].engine = empty_engine();
    return true;
  }

  std::unique_ptr<Engine> empty_engine() const {
    auto engine = std::make_unique<Engine>(*zone_pack_);
    engine->set_signing_key(data_->signing_key());
    return engine;
  }

  // Every process ends; the journal last.
  void stop() {
    for (Node& node : nodes_) {
      node.stop();
      node.journal.reset();
    }
    data_.reset();
  }

  // The machine restarts: both nodes, from the disk. The lease lives in
  // the shard's store, elsewhere: after a power loss it runs out before a
  // node may write again.
  bool restart(bool power_lost) {
    ++report_.restarts;
    stop();
    in_flight_.clear();  // the courier's memory goes with the process
    sent_.clear();
    if (power_lost) {
      disk_.recover_after_power_loss();
      ++report_.power_losses;
      damage_a_snapshot();
    }
    return start() && check_recovered(*nodes_[0].engine, /*takeover=*/false);
  }

  // A snapshot the power loss caught half written (or a bad sector):
  // recovery must notice and do without it.
  void damage_a_snapshot() {
    const fs::path snapshots = fs::path(dir_) / "snapshots";
    std::error_code error;
    if (!fs::is_directory(snapshots, error) || !rng_.percent(options_.damaged_snapshot_percent)) {
      return;
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(snapshots, error))
      files.push_back(entry.path());
    if (files.empty()) return;
    std::sort(files.begin(), files.end());
    const fs::path& newest = files.back();
    const auto size = fs::file_size(newest, error);
    if (error || size == 0) return;
    fs::resize_file(newest, rng_.below(size), error);
    ++report_.snapshots_damaged;
  }

  // The node that may write now: it holds the lease and is running.
  Node* owner_node() {
    for (Node& node : nodes_) {
      if (node.epoch != 0 && node.epoch == lease_.epoch() && node.paused_until < 0) return &node;
    }
    return nullptr;
  }
  int index_of(const Node& node) const { return static_cast<int>(&node - nodes_.data()); }
  std::string node_name(const Node& node) const { return "node " + std::to_string(index_of(node)); }

  // ---- the lease ---------------------------------------------------------------
  //
  // Each step the clock moves on one tick: a stopped node whose time has
  // come runs again (and makes the commit it was about to make); the owner
  // renews its lease, and learns if it was taken; standbys read the
  // journal's new rows and take the lease once it has run out.

  bool tick() {
    lease_.set_now(++now_);
    // A node that runs again as its lease runs out may be first, or not.
    const bool wake_first = rng_.percent(50);
    return (!wake_first || wake_due()) && lease_round() && (wake_first || wake_due());
  }

  bool wake_due() {
    for (Node& node : nodes_) {
      if (node.paused_until >= 0 && node.paused_until <= now_ && !wake(node)) return false;
    }
    return true;
  }

  bool lease_round() {
    for (Node& node : nodes_) {
      if (node.epoch != 0 && node.paused_until < 0 && !lease_.renew(node.epoch) &&
          !step_down(node)) {
        return false;
      }
    }
    // Either node may be first to see the lease free.
    const size_t first = rng_.below(2);
    for (size_t k = 0; k < nodes_.size(); ++k) {
      Node& node = nodes_[(first + k) % nodes_.size()];
      if (node.epoch != 0 || node.paused_until >= 0) continue;
      if (!follow(node)) return false;
      if (node.barred_until > now_) continue;
      const int before = lease_.holder();
      const int index = index_of(node);
      const uint64_t epoch = lease_.try_acquire(index);
      if (epoch == 0) continue;
      if (before >= 0 && before != index) ++report_.failovers;
      if (!promote(node, epoch)) return false;
    }
    return true;
  }

  bool follow(Node& node) {
    Result<uint64_t> applied = data_->follow(node.engine, {});
    return check(applied.is_ok(), node_name(node) + " cannot follow the journal: " +
                                      (applied.is_ok() ? "" : applied.status().first().message));
  }

  // The lease is the node's: the old owner can add no row from now on, so
  // what the journal holds is all there is. Read it to its end, then write
  // (as Zone::promote does).
  bool promote(Node& node, uint64_t epoch) {
    if (!follow(node)) return false;
    node.engine->set_pack(*zone_pack_);
    const Status writer = node.journal->become_writer(epoch);
    if (!check(writer.is_ok(), node_name(node) + " cannot write at epoch " + std::to_string(epoch) +
                                   ": " + (writer.is_ok() ? "" : writer.first().message))) {
      return false;
    }
    node.epoch = epoch;
    node.committer = std::make_unique<Committer>(*node.journal, pack_hash_, nullptr, 4096);
    sent_.clear();  // its courier starts from the outbox
    return check_recovered(*node.engine, /*takeover=*/true);
  }

  // A deposed owner (its lease taken while it was stopped) or one giving
  // up: its zone may hold commands the journal never took, so it starts
  // again from the journal (newest snapshot and the rows after it), as a
  // standby.
  bool step_down(Node& node) {
    node.stop();
    Result<DataDir::Replayed> recovered = data_->replay({}, /*use_snapshots=*/true);
    if (!check(recovered.is_ok(),
               node_name(node) + " cannot recover from the journal: " +
                   (recovered.is_ok() ? "" : recovered.status().first().message))) {
      return false;
    }
    node.engine = std::move(recovered).value().engine;
    if (node.engine == nullptr) node.engine = empty_engine();
    return true;
  }

  // The owner's process dies without a word, between batches: its lease
  // runs out, and whichever node takes it next (the restarted one, maybe)
  // goes on.
  bool crash(Node& node) {
    ++report_.owner_crashes;
    sent_.clear();  // the courier's memory goes with the process
    return step_down(node);
  }

  // A stopped owner runs again and makes the commit it was about to make.
  // Its lease may have been taken meanwhile: then the store must refuse
  // the rows, whatever their sequence numbers, and the node steps down.
  bool wake(Node& node) {
    node.paused_until = -1;
    // With nothing in hand, it renews the lease it missed renewing, or
    // learns it was taken (a batch of repeats would never reach the fence).
    if (node.held.empty()) return lease_.renew(node.epoch) || step_down(node);
    std::vector<JournalEntry> rows = std::move(node.held_rows);
    const bool submitted = node.committer->submit(std::move(node.held), "");
    node.held.clear();
    node.held_rows.clear();
    const Status committed = node.committer->finish();
    if (!check_landed()) return false;
    if (submitted && committed.is_ok()) {
      acknowledge(rows);
      return check_live(*node.engine, rows.size());
    }
    if (committed.first().code != ErrorCode::kFenced) {
      return fail(node_name(node) +
                  "'s commit after it was stopped failed: " + committed.first().message);
    }
    return fenced_off(node);
  }

  // The store refused a deposed owner's commit: nothing of it may be in
  // the journal, and the node steps down.
  bool fenced_off(Node& node) {
    if (!check(node.epoch != lease_.epoch(), node_name(node) +
                                                 " was fenced off at the lease's own epoch " +
                                                 std::to_string(node.epoch))) {
      return false;
    }
    ++report_.fenced_commits;
    if (!check(data_->journal().last_seq() == acknowledged_.size(),
               "a fenced commit changed the journal: it ends at " +
                   std::to_string(data_->journal().last_seq()) + ", " +
                   std::to_string(acknowledged_.size()) + " rows were acknowledged")) {
      return false;
    }
    return step_down(node);
  }

  // One writer: every append that reached the journal was made at the
  // lease's epoch of that moment.
  bool check_landed() {
    for (Node& node : nodes_) {
      if (node.journal == nullptr) continue;
      for (const LandedAppend& landed : node.journal->take_landed()) {
        if (!check(landed.writer_epoch == landed.lease_epoch,
                   node_name(node) + "'s rows " + std::to_string(landed.first_seq) + "-" +
                       std::to_string(landed.last_seq) + " reached the journal at epoch " +
                       std::to_string(landed.writer_epoch) + " while the lease was at " +
                       std::to_string(landed.lease_epoch) + ": two writers")) {
          return false;
        }
      }
    }
    return true;
  }

  void acknowledge(std::vector<JournalEntry>& rows) {
    for (JournalEntry& row : rows) {
      tree_.append(row.leaf_hash);
      acknowledged_.push_back(std::move(row.entry));
    }
    report_.acknowledged = acknowledged_.size();
  }

  // ---- a step ----------------------------------------------------------------

  bool day_done() const { return queue_.empty() && gate_day_made_; }

  // A command sent again after it was applied gets its first result: the
  // one its journal row recorded, compared as JSON (a result the engine
  // left in the journal is read back from the row, canonical).
  bool check_repeat(const Engine& engine, const PreparedCommand& command, std::string_view result) {
    const std::string_view id = command.document.root().get("id").text();
    const CommandIndex::Entry* applied = engine.state().applied.find(id);
    if (applied == nullptr || applied->seq > acknowledged_.size()) return true;  // not durable yet
    JsonDocument row;
    if (!check(row.parse(acknowledged_[applied->seq - 1]).is_ok(),
               "journal row " + std::to_string(applied->seq) + " is not JSON")) {
      return false;
    }
    std::string recorded;
    append_canonical_json(recorded, row.root().get("result"));
    ++report_.repeats;
    return check(canonical_result(result) == recorded,
                 "the repeat of " + std::string(id) + " was answered " + std::string(result) +
                     ", not as journal row " + std::to_string(applied->seq) + " recorded");
  }

  // Commands unanswered: their clients send them again, first.
  void send_again(std::vector<Outgoing>& sent) {
    for (auto it = sent.rbegin(); it != sent.rend(); ++it) queue_.push_front(std::move(*it));
    report_.retries += sent.size();
  }

  // The owner takes a batch of commands, applies them and commits them.
  bool step(Node& node) {
    if (queue_.empty() && !gate_day_made_ && !make_gate_day()) return false;
    if (rng_.percent(options_.owner_crash_percent)) return crash(node);
    const bool pause = rng_.percent(options_.owner_pause_percent);
    const uint64_t draw = rng_.below(100);
    const uint64_t power = static_cast<uint64_t>(options_.power_loss_percent);
    if (!pause && draw < power / 2) {  // between commits
      disk_.lose_power();
      return restart(true);
    }
    const bool power_mid = !pause && draw < power;
    const bool full =
        !pause && !power_mid && draw < power + static_cast<uint64_t>(options_.full_disk_percent);
    if (power_mid) {
      // Somewhere in the commit: after a few of its writes, or at its fsync
      // (every write in the cache, none known to be on the platter).
      if (rng_.percent(50)) {
        disk_.lose_power_after(rng_.between(0, 12));
      } else {
        disk_.lose_power_at_sync();
      }
    }
    if (full) disk_.set_full(true);

    std::vector<Outgoing> sent;
    const int64_t count = rng_.between(1, options_.batch_max);
    while (static_cast<int64_t>(sent.size()) < count && !queue_.empty()) {
      sent.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    std::vector<PendingEntry> pending;
    std::vector<JournalEntry> rows;
    PreparedCommand command;
    for (const Outgoing& out : sent) {
      Engine::prepare(out.text, ++line_, command);
      const std::string_view result = node.engine->apply(command);
      ++report_.commands;
      if (out.original >= 0) results_[static_cast<size_t>(out.original)] = std::string(result);
      if (node.engine->last_new()) {
        const uint64_t seq = node.engine->state().last_seq;
        pending.push_back(PendingEntry{seq, command.canonical, result});
        rows.push_back(make_journal_entry(seq, command.canonical, result, pack_hash_));
      } else if (node.engine->last_accepted() && !check_repeat(*node.engine, command, result)) {
        return false;
      }
    }
    if (pause) {
      // The process stops just before its commit, for up to twice its
      // lease's life (about half the time long enough to lose it); its
      // clients give up waiting and send the commands again, to whichever
      // node answers.
      ++report_.owner_pauses;
      node.paused_until = now_ + rng_.between(1, 2 * options_.lease_ttl_steps);
      node.held = std::move(pending);
      node.held_rows = std::move(rows);
      send_again(sent);
      return true;
    }
    const uint64_t full_refusals = disk_.counters().full_refusals;
    const bool submitted = node.committer->submit(std::move(pending), "");
    const Status committed = node.committer->finish();
    disk_.set_full(false);
    disk_.lose_power_after(-1);
    disk_.lose_power_at_sync(false);
    if (!check_landed()) return false;

    if (!disk_.powered() || !submitted || !committed.is_ok()) {
      send_again(sent);
      if (!disk_.powered()) {
        ++report_.mid_commit_losses;
        return restart(true);
      }
      // Deposed while it was stopped, with nothing in hand when it ran
      // again: the first commit it makes tells it.
      if (committed.first().code == ErrorCode::kFenced) return fenced_off(node);
      ++report_.full_disks;
      if (!full || committed.first().code != ErrorCode::kIoError ||
          disk_.counters().full_refusals == full_refusals) {
        return fail("a commit failed, and not for the full disk: " + committed.first().message);
      }
      // Its journal failed: the node gives its lease up (as a server does)
      // and, as if restarted by its supervisor, starts again as a standby
      // kept off the lease for a lease's life, so the other node takes it.
      lease_.release(node.epoch);
      if (!step_down(node)) return false;
      node.barred_until = now_ + options_.lease_ttl_steps + 1;
      return check_recovered(*node.engine, /*takeover=*/true);
    }
    const size_t new_rows = rows.size();
    acknowledge(rows);
    if (options_.snapshot_every_steps > 0 && report_.steps % options_.snapshot_every_steps == 0) {
      const Status snapped = data_->snapshot(*node.engine, pack_hash_);
      if (!snapped.is_ok()) return fail("a snapshot failed: " + snapped.first().message);
      ++report_.snapshots;
    }
    return check_live(*node.engine, new_rows) && exchange_with_partner(*node.engine);
  }

  // ---- the network to the partner ----------------------------------------------
  //
  // The courier sends what the outbox holds; the link loses a message now
  // and then, delays others by a few steps and delivers some twice; the
  // partner keeps the first copy of each and acknowledges, and the
  // acknowledgement can be lost too. A delivered acknowledgement becomes an
  // acknowledge_delivery command, sent with the next commands. A restart
  // forgets what was in flight: the courier sends the outbox again.

  struct InFlight {
    std::pair<std::string, std::string> message;  // partner, id
    std::string body;
    int due_step = 0;
  };

  bool exchange_with_partner(const Engine& zone) {
    const ZoneState& state = zone.state();
    for (const auto& [key, message] : state.outbox) {
      seen_in_outbox_.emplace(key, message.body);
      if (sent_.count(key) != 0) continue;  // in flight already
      sent_.insert(key);
      ++report_.messages_sent;
      if (rng_.percent(options_.message_loss_percent)) continue;
      const int due = report_.steps + static_cast<int>(rng_.below(4));
      in_flight_.push_back({key, message.body, due});
      if (rng_.percent(10)) in_flight_.push_back({key, message.body, due + 1});  // twice
    }
    // Lost ones are sent again after a while (the courier's retry).
    if (report_.steps % 5 == 0) sent_.clear();
    for (auto it = in_flight_.begin(); it != in_flight_.end();) {
      if (it->due_step > report_.steps) {
        ++it;
        continue;
      }
      auto [received, first] = partner_received_.emplace(it->message, it->body);
      if (!check(received->second == it->body,
                 "message " + it->message.second + " arrived twice with different bodies")) {
        return false;
      }
      if (first) ++report_.messages_delivered;
      if (!rng_.percent(options_.message_loss_percent)) {  // the acknowledgement arrives
        const ZoneState::OutgoingMessage* m = find_outgoing(state, it->message);
        if (m != nullptr) queue_.push_front({acknowledgement(*m), -1});
      }
      it = in_flight_.erase(it);
    }
    return check_outbox(zone);
  }

  static const ZoneState::OutgoingMessage* find_outgoing(
      const ZoneState& state, const std::pair<std::string, std::string>& key) {
    const auto& outbox = state.outbox;
    const auto it = outbox.find(key);
    return it == outbox.end() ? nullptr : &it->second;
  }

  static std::string acknowledgement(const ZoneState::OutgoingMessage& m) {
    return R"({"type":"acknowledge_delivery","id":"delivered-)" + m.partner + "-" + m.id +
           R"(","at":")" + m.at + R"(","partner":")" + m.partner + R"(","message":")" + m.id +
           R"("})";
  }

  // A message leaves the outbox only once the partner has it, and a message
  // keeps its body for as long as it waits.
  bool check_outbox(const Engine& zone) {
    const auto& outbox = zone.state().outbox;
    for (const auto& [key, body] : seen_in_outbox_) {
      const auto it = outbox.find(key);
      if (it == outbox.end()) {
        if (!check(partner_received_.count(key) != 0,
                   "message " + key.second + " left the outbox without reaching " + key.first)) {
          return false;
        }
      } else if (!check(it->second.body == body,
                        "message " + key.second + " changed while it waited in the outbox")) {
        return false;
      }
    }
    return true;
  }

  // ---- invariants ----------------------------------------------------------

  // After a restart or a takeover: nothing acknowledged lost, the Merkle
  // log a continuation of what it was, and the journal replays to the zone
  // the node has. Only a restart after a power loss may find rows never
  // answered (durable, the process gone before it said so); a node taking
  // over or starting again must find exactly the rows answered.
  bool check_recovered(const Engine& zone, bool takeover) {
    std::vector<JournalEntry> journal;
    const Status read = data_->journal().read(1, [&](const JournalEntry& e) {
      journal.push_back(e);
      return Status::ok();
    });
    if (!check(read.is_ok(), "the journal cannot be read: " +
                                 (read.is_ok() ? std::string() : read.first().message))) {
      return false;
    }
    if (!check(journal.size() >= acknowledged_.size(),
               "acknowledged commands lost: the journal holds " + std::to_string(journal.size()) +
                   " rows, " + std::to_string(acknowledged_.size()) + " were acknowledged")) {
      return false;
    }
    if (!check(!takeover || journal.size() == acknowledged_.size(),
               "the journal holds " + std::to_string(journal.size()) + " rows at a takeover, " +
                   std::to_string(acknowledged_.size()) + " were acknowledged")) {
      return false;
    }
    for (size_t i = 0; i < acknowledged_.size(); ++i) {
      if (!check(journal[i].entry == acknowledged_[i],
                 "acknowledged command " + std::to_string(i + 1) + " changed in the journal")) {
        return false;
      }
    }
    audit::MerkleTree now;
    for (const JournalEntry& e : journal) now.append(e.leaf_hash);
    if (tree_.size() > 0) {
      const uint64_t before = tree_.size();
      Result<std::vector<audit::Hash>> proof = now.consistency_proof(before, now.size());
      if (!check(proof.is_ok() &&
                     audit::verify_consistency(before, now.size(), tree_.root(), now.root(), *proof)
                         .is_ok(),
                 "the Merkle log of " + std::to_string(now.size()) +
                     " rows is not consistent with the root at " + std::to_string(before))) {
        return false;
      }
    }
    // Rows durable but never answered are the zone's history now too.
    for (size_t i = acknowledged_.size(); i < journal.size(); ++i) {
      acknowledged_.push_back(journal[i].entry);
    }
    tree_ = std::move(now);
    report_.acknowledged = acknowledged_.size();
    return check_replay(journal, zone) && check_live(zone, 0) && check_outbox(zone);
  }

  // Taxes (and every other result) recomputable: a fresh engine, no
  // snapshot, replaying the journal gives each recorded result and the
  // recovered node's state.
  bool check_replay(const std::vector<JournalEntry>& journal, const Engine& zone) {
    Engine fresh(pack_);
    fresh.set_signing_key(data_->signing_key());
    PreparedCommand command;
    for (const JournalEntry& e : journal) {
      Result<JournalRecord> record = check_journal_entry(e);
      if (!check(record.is_ok(), "journal row " + std::to_string(e.seq) + " is damaged")) {
        return false;
      }
      Engine::prepare_canonical(record->command, static_cast<int64_t>(e.seq), command);
      const std::string result = canonical_result(fresh.apply(command));
      if (!check(fresh.last_new() && result == record->result,
                 "journal row " + std::to_string(e.seq) + " replays to another result")) {
        return false;
      }
    }
    const uint64_t node_seq = zone.state().last_seq;
    if (!check(node_seq == journal.size(), "the recovered zone is at command " +
                                               std::to_string(node_seq) + ", its journal at " +
                                               std::to_string(journal.size()))) {
      return false;
    }
    return journal.empty() ||
           check(fresh.state_hash() == zone.state_hash(),
                 "the recovered zone differs from a replay of its whole journal");
  }

  // After every step: the journal is where the engine is, its leaves are
  // the acknowledged rows', books and taxes add up.
  bool check_live(const Engine& zone, size_t new_rows) {
    const ZoneState& state = zone.state();
    if (!check(data_->journal().last_seq() == state.last_seq,
               "the journal ends at " + std::to_string(data_->journal().last_seq()) +
                   ", the zone at " + std::to_string(state.last_seq))) {
      return false;
    }
    const uint64_t from = tree_.size() - new_rows;
    bool leaves_match = true;
    uint64_t leaves_read = 0;
    const Status leaves =
        data_->journal().read_leaves(from + 1, [&](uint64_t seq, const Digest& leaf) {
          ++leaves_read;
          leaves_match = leaves_match && seq == from + leaves_read && seq <= tree_.size() &&
                         leaf == tree_.leaf(seq - 1);
          return Status::ok();
        });
    if (!check(leaves.is_ok() && leaves_match && leaves_read == new_rows,
               "the journal's rows after " + std::to_string(from) + " are not the " +
                   std::to_string(new_rows) + " just acknowledged")) {
      return false;
    }
    return check_books(state) && check_transfers(state, new_rows) && check_taxes(state);
  }

  bool check_books(const ZoneState& state) {
    for (const auto& [uscc, book] : state.books) {
      const std::vector<std::string> problems = book.check_invariants();
      if (!check(problems.empty(),
                 "book " + uscc + ": " + (problems.empty() ? std::string() : problems.front()))) {
        return false;
      }
      // Per item: what the postings moved is what the lots hold.
      std::map<std::string, std::pair<int64_t, int64_t>> by_item;  // posted, held (e4)
      for (const Lot& lot : book.lots()) by_item[lot.item].second += lot.balance.e4;
      for (const Posting& posting : book.postings()) {
        by_item[book.lots()[posting.lot - 1].item].first += posting.quantity.e4;
      }
      for (const auto& [item, sums] : by_item) {
        if (!check(sums.first == sums.second,
                   "book " + uscc + ", item " + item + ": postings add up to " +
                       format_quantity(Quantity{sums.first}) + ", the lots hold " +
                       format_quantity(Quantity{sums.second}))) {
          return false;
        }
      }
    }
    return true;
  }

  // An in-zone transfer moves goods between two books: its postings, across
  // all books, add up to nothing.
  bool check_transfers(const ZoneState& state, size_t new_rows) {
    for (size_t i = acknowledged_.size() - new_rows; i < acknowledged_.size(); ++i) {
      JournalEntry row{i + 1, acknowledged_[i], {}};
      row.leaf_hash = tree_.leaf(i);
      Result<JournalRecord> record = check_journal_entry(row);
      if (!record.is_ok()) return fail("row " + std::to_string(i + 1) + " is damaged");
      JsonDocument doc;
      if (!doc.parse(record->command).is_ok()) continue;
      if (doc.root().get("type").text() != "declare" ||
          doc.root().get("movement").text() != "transfer") {
        continue;
      }
      int64_t sum = 0;
      for (const auto& [uscc, book] : state.books) {
        for (const Posting& p : book.postings()) {
          if (p.seq == i + 1 && p.kind != PostingKind::kRevaluation) sum += p.quantity.e4;
        }
      }
      if (!check(sum == 0, "transfer " + std::to_string(i + 1) +
                               " changes the zone's quantity by " +
                               format_quantity(Quantity{sum}))) {
        return false;
      }
    }
    return true;
  }

  // The read model of taxes by day adds up to the declarations' own totals
  // and the taxes stock-takes charged (read from their journaled results).
  bool check_taxes(const ZoneState& state) {
    TaxTotals by_day, recorded;
    for (const auto& [day, totals] : state.taxes_by_day) by_day.add(totals);
    for (const DeclarationRecord& record : state.declarations) recorded.add(record.totals);
    for (size_t i = 0; i < acknowledged_.size(); ++i) {
      if (acknowledged_[i].find("\"stocktake\"") == std::string::npos) continue;
      JournalEntry row{i + 1, acknowledged_[i], tree_.leaf(i)};
      Result<JournalRecord> record = check_journal_entry(row);
      JsonDocument command, result;
      if (!record.is_ok() || !command.parse(record->command).is_ok() ||
          command.root().get("type").text() != "stocktake" ||
          !result.parse(record->result).is_ok()) {
        continue;
      }
      const JsonRef totals = result.root().get("totals");
      const auto money = [&](std::string_view key) {
        Result<int64_t> fen = parse_fixed(totals.get(key).text(), kMoneyScale, INT64_MAX / 4, true);
        return Money{fen.is_ok() ? *fen : 0};
      };
      recorded.duty += money("duty");
      recorded.consumption_tax += money("consumption_tax");
      recorded.vat += money("vat");
    }
    const auto same = [](const TaxTotals& a, const TaxTotals& b) {
      return a.customs_value.fen == b.customs_value.fen && a.duty.fen == b.duty.fen &&
             a.consumption_tax.fen == b.consumption_tax.fen && a.vat.fen == b.vat.fen &&
             a.refund.fen == b.refund.fen;
    };
    return check(same(by_day, recorded),
                 "taxes by day (" + format_money(by_day.duty + by_day.vat) +
                     " duty and VAT) differ from the declarations' and stock-takes' (" +
                     format_money(recorded.duty + recorded.vat) + ")");
  }

  const PolicyPack& pack_;
  const SimOptions options_;
  SimDisk& disk_;
  demo::Rng rng_;
  std::string dir_;
  // The shard: its store (the data directory), the lease on it, and the
  // nodes that share it, on a clock of steps.
  std::unique_ptr<DataDir> data_;
  std::string pack_hash_;
  const PolicyPack* zone_pack_ = nullptr;  // the pack as the data directory keeps it
  SimLease lease_;
  std::array<Node, 2> nodes_;
  int64_t now_ = 0;
  SeedReport report_;
  std::vector<std::string> preparation_, results_;
  bool gate_day_made_ = false;
  std::deque<Outgoing> queue_;
  int64_t line_ = 0;
  std::vector<std::string> acknowledged_;  // journal rows, by seq - 1
  audit::MerkleTree tree_;                 // over their leaves
  // The partner and the link to it.
  using MessageKey = std::pair<std::string, std::string>;  // partner, id
  std::map<MessageKey, std::string> seen_in_outbox_;       // with its body
  std::set<MessageKey> sent_;                              // since the last retry round
  std::vector<InFlight> in_flight_;
  std::map<MessageKey, std::string> partner_received_;  // the first copy of each
};

}  // namespace

SeedReport simulate_seed(const PolicyPack& pack, const SimOptions& options, uint64_t seed) {
  SimDisk::install();
  SimDisk::make_default(true);
  SeedReport report = Simulation(pack, options, seed).run();
  SimDisk::make_default(false);  // the process's other SQLite use is on real disks
  return report;
}

}  // namespace zg::sim
