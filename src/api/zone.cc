#include "api/zone.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "api/problem.h"
#include "core/json.h"
#include "core/thread_name.h"
#include "core/unshared_heap.h"
#include "durable/journal_results.h"
#include "engine/journal_entry.h"

namespace zg::api {
namespace {

// Events kept for watchers resuming after a restart.
constexpr uint64_t kEventsRecovered = 10'000;

// The enterprise a command is about, for the event stream's filter: the
// one it acts as (the field the door checks against an enterprise's token),
// the one it registers, or the declarant of the declaration it names.
// Never any other field, so a command cannot address another's stream.
std::string subject_of(JsonRef command, const ZoneState& state) {
  const JsonRef type = command.get("type");
  if (!type.is_string()) return "";
  const auto text = [](JsonRef v) { return v.is_string() ? std::string(v.text()) : std::string(); };
  if (type.text() == "register_enterprise") return text(command.get("uscc"));
  if (const CommandRule* rule = command_rule(type.text());
      rule != nullptr && !rule->actor_field.empty()) {
    return text(command.get(rule->actor_field));
  }
  const JsonRef number = command.get("declaration");
  if (number.is_string()) {
    const DeclarationRecord* d = state.find_declaration(number.text());
    if (d != nullptr && d->declarant != nullptr) return d->declarant->uscc;
  }
  return "";
}

std::string_view text_of(JsonRef value) {
  return value.is_string() ? value.text() : std::string_view();
}

// Counts the error codes of a rejected result, for /metrics.
void count_rejections(std::string_view result, Metrics& metrics) {
  constexpr std::string_view kCode = "\"code\":\"";
  for (size_t at = result.find(kCode); at != std::string_view::npos; at = result.find(kCode, at)) {
    at += kCode.size();
    const size_t end = result.find('"', at);
    if (end == std::string_view::npos) break;
    metrics.rejection(result.substr(at, end - at));
  }
}

// The event of a journal row the zone has applied (recovery, following).
Result<Event> event_of_row(const JournalEntry& row, const ZoneState& state, JsonDocument& entry) {
  Status parsed = entry.parse(row.entry);
  if (!parsed.is_ok()) return parsed;
  const JsonRef command = entry.root().get("command");
  // The result as the engine answered it (the journal keeps it canonical).
  const CommandIndex::Entry* applied = state.applied.find(text_of(command.get("id")));
  if (applied == nullptr) {
    return Status(ErrorCode::kCorruption, "",
                  "journal row " + std::to_string(row.seq) + " names a command the zone lacks");
  }
  // A result the zone did not keep in memory is the row's own (canonical),
  // copied: the row is the store's reading buffer.
  if (!state.results.holds(applied->result)) {
    Result<JournalRecordView> record = check_journal_entry_in_place(row);
    if (!record.is_ok()) return record.status();
    return make_event_keeping(row.seq, text_of(command.get("type")), text_of(command.get("at")),
                              subject_of(command, state), record->result);
  }
  return make_event(row.seq, text_of(command.get("type")), text_of(command.get("at")),
                    subject_of(command, state), state.results.get(applied->result),
                    state.results.pin(applied->result));
}

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A line of the server's JSON log on standard error.
void log_line(const char* level, const std::string& message) {
  std::string line = std::string("{\"level\":\"") + level + "\",\"msg\":";
  append_json_string(line, message);
  line += "}\n";
  std::fputs(line.c_str(), stderr);
}

}  // namespace

// What one job gets once its group is durable.
struct Zone::Answer {
  std::function<void(const Status&, std::string)> done;
  std::string results;
  Reply reply;
  HttpResponse response;

  void deliver(const Status& status) {
    if (done) {
      done(status, std::move(results));
    } else if (reply) {
      reply(status.is_ok() ? std::move(response)
                           : problem(503, "unavailable", status.first().message));
    }
  }
};

Result<std::unique_ptr<Zone>> Zone::open(const std::string& data_dir, const std::string& pack_dir,
                                         ZoneOptions options, EventHub& events, Metrics& metrics) {
  std::unique_ptr<Zone> zone(new Zone());
  zone->options_ = options;
  zone->events_ = &events;
  zone->metrics_ = &metrics;
  Result<DataDir::Replayed> replayed =
      open_and_replay(data_dir, !pack_dir.empty(), zone->dir_, /*progress=*/true,
                      /*use_snapshots=*/true, options.store, /*take_shared=*/true,
                      /*writer=*/"zonegate serve");
  if (!replayed.is_ok()) return replayed.status();
  std::string hash;
  if (!pack_dir.empty()) {
    Result<std::string> kept = zone->dir_->keep_pack(pack_dir);
    if (!kept.is_ok()) return kept.status();
    hash = *kept;
    Status named = zone->dir_->journal().put_meta("last_pack", hash);
    if (!named.is_ok()) return named;
  } else {
    Result<std::string> last = zone->dir_->journal().get_meta("last_pack");
    if (!last.is_ok()) return last.status();
    if (last->empty()) {
      return Status(ErrorCode::kUsage, "",
                    data_dir + " has used no policy pack yet: name one with --pack");
    }
    hash = *last;
  }
  Result<const PolicyPack*> pack = zone->dir_->pack(hash);
  if (!pack.is_ok()) return pack.status();
  zone->pack_ = *pack;
  zone->pack_hash_ = hash;
  zone->engine_ = std::move(replayed).value().engine;
  if (zone->engine_ == nullptr) {
    zone->engine_ = std::make_unique<Engine>(*zone->pack_);
    zone->engine_->set_signing_key(zone->dir_->signing_key());
  } else {
    zone->engine_->set_pack(*zone->pack_);
  }
  const uint64_t last_seq = zone->engine_->state().last_seq;
  zone->last_seq_ = last_seq;
  zone->durable_seq_ = last_seq;
  zone->snapshot_seq_ = zone->dir_->newest_snapshot_seq();

  // Watchers resuming after a restart find the latest events again.
  std::vector<Event> recent;
  const uint64_t from = last_seq > kEventsRecovered ? last_seq - kEventsRecovered + 1 : 1;
  const ZoneState& state = zone->engine_->state();
  JsonDocument entry;
  Status read = zone->dir_->journal().read(from, [&](const JournalEntry& row) -> Status {
    if (row.seq > last_seq) return Status::ok();  // a standby's owner writes on
    Result<Event> event = event_of_row(row, state, entry);
    if (!event.is_ok()) return event.status();
    recent.push_back(std::move(event).value());
    return Status::ok();
  });
  if (!read.is_ok()) return read;
  events.publish(std::move(recent));
  if (from > 1) events.set_resumable_from(from - 1);  // older events are not kept

  Result<AuditLog*> audit = zone->dir_->audit_log(zone->pack_->zone_id);
  if (!audit.is_ok()) return audit.status();
  zone->audit_ = *audit;
  Zone* z = zone.get();
  zone->make_committer();  // an unleased writer until it joins its shard
  zone->thread_ = std::thread([z] { z->run(); });
  return zone;
}

Status Zone::join_shard(const std::string& node, const std::string& advertise) {
  const StoreSpec& store = dir_->store();
  if (store.kind != StoreSpec::Kind::kPostgres) return Status::ok();  // SQLite: the only node
  PostgresOptions lease_options;
  lease_options.url = store.url;
  lease_options.shard = store.shard;
  lease_options.shown = store.recorded;
  Result<std::unique_ptr<ShardLease>> lease =
      ShardLease::open(lease_options, node, advertise, std::max(options_.lease_ms, 100));
  if (!lease.is_ok()) return lease.status();
  // A standby until the lease is ours; nothing was submitted yet, so the
  // committer is idle.
  {
    std::lock_guard lock(mutex_);
    owner_ = false;
    lease_ = std::move(lease).value();
  }
  if (!committer_->finish().is_ok()) {
    return Status(ErrorCode::kIoError, "", "the journal failed before the node joined its shard");
  }
  committer_.reset();
  options_.advertise = advertise;
  lease_thread_ = std::thread([this] { keep_lease(); });
  changed_.notify_all();
  return Status::ok();
}

void Zone::make_committer() {
  // Checkpoints off the commit path (store/sqlite/wal_checkpointer.h).
  // Without them a commit now and then waits for one, as it always did.
  Status background = dir_->journal().checkpoint_in_background();
  if (!background.is_ok()) {
    log_line("warn", "WAL checkpoints stay in the commits: " + background.first().message);
  }
  Metrics* observed = metrics_;
  committer_ = std::make_unique<Committer>(
      dir_->journal(), pack_hash_, nullptr, options_.commit_max,
      [observed](size_t rows, double seconds) { observed->commit(rows, seconds); }, audit_);
}

std::string Zone::shard_name() const {
  return dir_->store().kind == StoreSpec::Kind::kPostgres ? dir_->store().shard : pack_->zone_id;
}

std::string Zone::owner_address() const {
  std::lock_guard lock(owner_mutex_);
  // Never this node's own address while it takes no commands (taking
  // over, or just deposed): a client would be sent round in a circle.
  if (owner_address_ == options_.advertise && !owner_) return "";
  return owner_address_;
}

std::string Zone::redirect_address() const {
  // A refusal never sends the client back here, even while this node still
  // counts itself the owner (an append fenced before it has stepped down).
  const std::string owner = owner_address();
  return owner == options_.advertise ? "" : owner;
}

Zone::ShardFigures Zone::shard_figures() const {
  ShardFigures figures;
  figures.leased = lease_ != nullptr;
  figures.owner = owner_.load();
  figures.epoch = epoch_.load();
  figures.promotions = promotions_.load();
  figures.renewals_failed = renewals_failed_.load();
  const int64_t renewed = renewed_at_ms_.load();
  figures.seconds_since_renewal =
      renewed == 0 ? 0 : static_cast<double>(steady_ms() - renewed) / 1000.0;
  figures.stored_seq = stored_seq_.load();
  return figures;
}

void Zone::keep_lease() {
  name_this_thread("zg-lease");
  const int ttl = lease_->ttl_ms();
  uint64_t epoch = 0;
  int64_t no_take_before_ms = 0;  // after giving the lease up: others first
  std::string last_problem;
  const auto set_owner_address = [&](const std::string& address) {
    std::lock_guard lock(owner_mutex_);
    owner_address_ = address;
  };
  for (;;) {
    std::string problem;
    bool draining = false;
    {
      std::lock_guard lock(mutex_);
      draining = draining_;
    }
    // Given up: the zone could not take over, or its journal failed (it
    // answers 503 until restarted): another node may do better. A draining
    // owner keeps renewing until it has committed everything (drain()).
    if (give_up_lease_.exchange(false) || (epoch != 0 && !healthy_)) {
      if (epoch != 0) {
        Status released = lease_->release(epoch);
        if (!released.is_ok()) problem = released.first().message;
      }
      epoch = 0;
      epoch_ = 0;
      set_owner_address("");
      no_take_before_ms = steady_ms() + ttl;
    }
    if (epoch == 0) {
      const bool may_take = healthy_ && !draining && steady_ms() >= no_take_before_ms;
      Result<uint64_t> taken = may_take ? lease_->try_acquire() : Result<uint64_t>(uint64_t{0});
      if (!taken.is_ok()) {
        problem = taken.status().first().message;
      } else if (*taken != 0) {
        epoch = *taken;
        epoch_ = epoch;
        renewed_at_ms_ = steady_ms();
        set_owner_address(options_.advertise);
        {
          std::lock_guard lock(mutex_);
          promote_to_ = epoch;
        }
        changed_.notify_all();
      } else if (Result<LeaseState> held = lease_->read(); held.is_ok()) {
        set_owner_address(held->expires_in_ms > 0 ? held->address : "");
      }
    } else {
      Result<bool> kept = lease_->renew(epoch);
      if (!kept.is_ok()) {
        // The database cannot be reached: keep trying. Should another node
        // take the lease meanwhile, the journal's epoch check stops our writes.
        ++renewals_failed_;
        problem = kept.status().first().message;
      } else if (*kept) {
        renewed_at_ms_ = steady_ms();
      } else {
        log_line("warn", "shard " + dir_->store().shard + ": the lease of epoch " +
                             std::to_string(epoch) +
                             " was taken by another node; this node steps down to standby");
        epoch = 0;
        epoch_ = 0;
        set_owner_address("");
        {
          std::lock_guard lock(mutex_);
          deposed_ = true;
        }
        changed_.notify_all();
      }
    }
    Result<uint64_t> stored = lease_->report(owner_ ? "owner" : "standby", epoch, last_seq_.load());
    if (stored.is_ok()) {
      stored_seq_ = *stored;
    } else if (problem.empty()) {
      problem = stored.status().first().message;
    }
    if (!problem.empty() && problem != last_problem) log_line("warn", problem);
    last_problem = problem;
    std::unique_lock lock(mutex_);
    // An owner renews three times a lease's life; a standby looks twice as often.
    lease_wake_.wait_for(lock, std::chrono::milliseconds(epoch != 0 ? ttl / 3 : ttl / 6),
                         [&] { return lease_stop_ || give_up_lease_; });
    if (lease_stop_) break;
  }
  // A clean stop lets the lease go (drain() stops this thread once all is
  // committed), so a standby need not wait for it to expire.
  if (epoch != 0) {
    Status released = lease_->release(epoch);
    if (!released.is_ok()) log_line("warn", released.first().message);
  }
}

Zone::~Zone() {
  drain();
}

void Zone::submit(Submission submission) {
  const size_t n = submission.commands.size();
  submission.results_room.reserve(n * 1024);  // here, on the sender's thread
  std::unique_lock lock(mutex_);
  std::string refusal;
  if (draining_) {
    refusal = "the server is shutting down";
  } else if (!owner_) {
    lock.unlock();
    submission.done(Status(ErrorCode::kFenced, "", standby_refusal()), {});
    return;
  } else if (!healthy_) {
    refusal = "the journal failed to commit; the zone takes no commands until it is restarted";
  } else if (queued_.load() + n > options_.queued_commands_max) {
    refusal = "the zone is busy (" + std::to_string(queued_.load()) +
              " commands waiting); retry shortly with the same ids";
  }
  if (!refusal.empty()) {
    lock.unlock();
    submission.done(Status(ErrorCode::kUnavailable, "", refusal), {});
    return;
  }
  queued_ += n;
  jobs_.push_back(Job{std::move(submission), nullptr, nullptr});
  lock.unlock();
  changed_.notify_one();
}

void Zone::read(View view, Reply reply) {
  std::unique_lock lock(mutex_);
  if (draining_ || !healthy_) {
    lock.unlock();
    reply(problem(503, "unavailable", "the zone is not serving: shutting down or restarting"));
    return;
  }
  jobs_.push_back(Job{std::nullopt, std::move(view), std::move(reply)});
  lock.unlock();
  changed_.notify_one();
}

void Zone::run() {
  name_this_thread("zg-engine");
  // The state a snapshot's child reads is only ever this thread's.
  unshared_heap::keep_thread_to_its_arena();
  for (;;) {
    std::deque<Job> work;
    {
      std::unique_lock lock(mutex_);
      // A node of a shard looks at the journal (and its role) now and
      // then; a zone waits for work, or for joining a shard (join_shard).
      const bool timed = lease_ != nullptr;
      const auto woken = [&] {
        return !jobs_.empty() || draining_ || promote_to_ != 0 || deposed_ ||
               (!timed && lease_ != nullptr);
      };
      if (timed) {
        changed_.wait_for(lock, std::chrono::milliseconds(options_.follow_ms), woken);
      } else {
        changed_.wait(lock, woken);
      }
      if (jobs_.empty() && draining_) break;  // draining, and nothing left
      work.swap(jobs_);
    }
    if (deposed_.exchange(false) && owner_) step_down();
    if (const uint64_t epoch = promote_to_.exchange(0); epoch != 0) promote(epoch);
    if (!owner_) {
      serve_as_standby(work);
      continue;
    }
    if (work.empty()) continue;
    std::vector<PendingEntry> entries;
    auto events = std::make_shared<std::vector<Event>>();
    auto answers = std::make_shared<std::vector<Answer>>();
    answers->reserve(work.size());
    for (Job& job : work) {
      Answer& answer = answers->emplace_back();
      if (job.commands) {
        apply(*job.commands, entries, *events, answer);
        answer.done = std::move(job.commands->done);
        queued_ -= job.commands->commands.size();
      } else {
        answer.response = job.view(*engine_);
        answer.reply = std::move(job.reply);
      }
    }
    // The commands' text must outlive the commit: the jobs hold it.
    auto held = std::make_shared<std::deque<Job>>(std::move(work));
    const uint64_t seq = engine_->state().last_seq;
    last_seq_ = seq;
    const bool queued = committer_->submit(
        std::move(entries), "", [this, answers, events, held, seq](const Status& status) {
          if (status.is_ok()) {
            events_->publish(std::move(*events));  // before the seq moves on: see Api::events
            durable_seq_ = seq;
          } else if (status.first().code == ErrorCode::kFenced) {
            // Another node holds the lease: this one steps down, and the
            // commands not committed are for the owner (same ids).
            bool first = false;
            {
              std::lock_guard lock(mutex_);
              first = !deposed_.exchange(true);
            }
            if (first) log_line("warn", status.first().message);
            changed_.notify_all();
          } else {
            healthy_ = false;
            std::fprintf(stderr,
                         "{\"level\":\"error\",\"msg\":\"journal commit failed; the zone stops "
                         "taking commands\",\"detail\":\"%s\"}\n",
                         status.first().message.c_str());
          }
          for (Answer& answer : *answers) answer.deliver(status);
        });
    if (!queued) {
      // A commit failed before: the committer takes nothing more. The state
      // in memory is ahead of the journal: a deposed owner steps down and
      // rebuilds, any other failure stops the zone.
      const Status failed =
          deposed_ ? Status(ErrorCode::kFenced, "", standby_refusal())
                   : Status(ErrorCode::kUnavailable, "", "the journal failed to commit");
      if (!deposed_) healthy_ = false;
      for (Answer& answer : *answers) answer.deliver(failed);
    }
    if (healthy_) {
      release_old_results();
      maybe_snapshot(false);
    }
  }
  // A snapshot's child dies with the thread that forked it, this one
  // (PR_SET_PDEATHSIG). A zone on its own lets it finish: the committer
  // still runs, so the row it waits for comes. A node of a shared shard
  // lets its lease go first (drain()), so that a standby takes over at
  // once: it gives the child up and writes its closing snapshot after.
  bool shared = false;
  {
    std::lock_guard lock(mutex_);
    shared = lease_ != nullptr;
  }
  if (shared) give_up_snapshot();
  reap_snapshot(true);
}

std::string Zone::standby_refusal() const {
  const std::string owner = redirect_address();
  return "this node is a standby of shard " + dir_->store().shard +
         (owner.empty() ? std::string(" and no owner holds its lease just now")
                        : "; its owner is at " + owner) +
         ": send the commands there, or retry shortly with the same ids";
}

void Zone::serve_as_standby(std::deque<Job>& work) {
  Status followed = follow();
  if (!followed.is_ok()) log_line("warn", "following the journal: " + followed.first().message);
  for (Job& job : work) {
    if (job.commands) {
      queued_ -= job.commands->commands.size();
      job.commands->done(Status(ErrorCode::kFenced, "", standby_refusal()), {});
    } else {
      job.reply(job.view(*engine_));  // all it has applied is in the journal: durable
    }
  }
  if (followed.is_ok()) {
    release_old_results();
    maybe_snapshot(false);
  }
}

Status Zone::follow() {
  std::vector<Event> events;
  JsonDocument entry;
  Status event_status;
  Result<uint64_t> applied = dir_->follow(engine_, [&](const JournalEntry& row) {
    // The log was read from the journal when the zone opened, maybe
    // beyond what the engine had replayed: only newer rows are added.
    if (audit_->size() < row.seq) audit_->followed(row.leaf_hash);
    Result<Event> event = event_of_row(row, engine_->state(), entry);
    if (event.is_ok()) {
      events.push_back(std::move(event).value());
    } else if (event_status.is_ok()) {
      event_status = event.status();
    }
  });
  const uint64_t seq = engine_->state().last_seq;
  if (!events.empty()) events_->publish(std::move(events));
  last_seq_ = seq;
  durable_seq_ = seq;
  if (!applied.is_ok()) return applied.status();
  if (*applied > 0) {
    Status heads = audit_->read_heads();  // the owner's newest signed heads
    if (!heads.is_ok()) return heads;
  }
  return event_status;
}

void Zone::promote(uint64_t epoch) {
  // The lease is ours, so the old owner can append no more: what the
  // journal holds now is all there is. Read it to the end, then write.
  Status status = follow();
  // The journal must still be the one this node followed: a shard dropped
  // and made again (another zone's, or an empty one) is never written to
  // from this node's state.
  const uint64_t applied = engine_->state().last_seq;
  if (status.is_ok() && applied > 0 &&
      dir_->journal_leaf(applied) != audit::hash_hex(audit_->leaf(applied - 1))) {
    status = Status(ErrorCode::kCorruption, "",
                    "journal row " + std::to_string(applied) +
                        " is not the one this node applied: the shard was replaced");
  }
  if (status.is_ok()) status = dir_->journal().become_writer(epoch);
  if (status.is_ok() && dir_->journal().last_seq() != engine_->state().last_seq) {
    status = Status(ErrorCode::kCorruption, "",
                    "the journal ends at " + std::to_string(dir_->journal().last_seq()) +
                        " but this node applied " + std::to_string(engine_->state().last_seq));
  }
  if (status.is_ok()) status = audit_->read_heads();
  if (!status.is_ok()) {
    // Give the lease up: another node may do better.
    log_line("error",
             "cannot take over shard " + dir_->store().shard + ": " + status.first().message);
    {
      std::lock_guard lock(mutex_);
      give_up_lease_ = true;  // the lease thread lets it go (it owns the connection)
    }
    lease_wake_.notify_all();
    return;
  }
  engine_->set_pack(*pack_);
  make_committer();
  owner_ = true;
  ++promotions_;
  log_line("info", "this node owns shard " + dir_->store().shard + " now (epoch " +
                       std::to_string(epoch) + ", journal at seq " +
                       std::to_string(engine_->state().last_seq) + ")");
}

void Zone::step_down() {
  owner_ = false;
  // What was queued is committed or refused (fenced) before anything else.
  if (committer_ != nullptr) {
    (void)committer_->finish();
    committer_.reset();
  }
  reap_snapshot(true);
  if (engine_->state().last_seq != durable_seq_.load()) {
    // Applied but never journalled: the state is rebuilt from the journal.
    Result<DataDir::Replayed> replayed = dir_->replay(nullptr);
    if (!replayed.is_ok()) {
      log_line("error", "cannot rebuild the zone after losing the lease: " +
                            replayed.status().first().message);
      healthy_ = false;
      return;
    }
    // The events kept for watchers view the old engine's results.
    events_->own_results();
    engine_ = std::move(replayed).value().engine;
    if (engine_ == nullptr) {
      engine_ = std::make_unique<Engine>(*pack_);
      engine_->set_signing_key(dir_->signing_key());
    }
    last_seq_ = engine_->state().last_seq;
    durable_seq_ = engine_->state().last_seq;
    // The log holds what this node committed; the rebuilt state goes further.
    Status caught_up = audit_->catch_up();
    if (!caught_up.is_ok()) {
      log_line("error", "cannot read the journal's leaves: " + caught_up.first().message);
      healthy_ = false;
      return;
    }
  }
  log_line("info", "this node is a standby of shard " + dir_->store().shard +
                       " now (journal at seq " + std::to_string(engine_->state().last_seq) + ")");
}

void Zone::apply(Submission& submission, std::vector<PendingEntry>& entries,
                 std::vector<Event>& events, Answer& answer) {
  answer.results = std::move(submission.results_room);  // reserved by submit()
  for (DoorCommand& command : submission.commands) {
    std::string_view result;
    std::string refused;
    bool accepted = false, fresh = false;
    const JsonRef root = command.prepared.document.root();
    if (!command.verdict.empty()) {
      result = command.verdict;
    } else if (command.check_window && submission.window &&
               !within_window(command.at, submission.received_at, *submission.window) &&
               !engine_->state().applied.contains(text_of(root.get("id")))) {
      // A first sending outside the window; a repeat of an accepted
      // command still gets its original result.
      refused = Engine::rejected_result(Status(ErrorCode::kAtOutOfWindow, "at",
                                               window_message(command.at, submission.received_at,
                                                              *submission.window, submission.role)),
                                        text_of(root.get("id")), command.prepared.line_number);
      result = refused;
    } else {
      result = engine_->apply(command.prepared);
      accepted = engine_->last_accepted();
      fresh = engine_->last_new();
    }
    metrics_->command(accepted);
    if (!accepted) count_rejections(result, *metrics_);
    if (fresh) {
      const uint64_t seq = engine_->state().last_seq;
      events.push_back(event_for(command.prepared, seq, result));
      entries.push_back(PendingEntry{seq, std::move(command.prepared.canonical), result});
    }
    answer.results += result;
    if (submission.json_lines) answer.results += '\n';
  }
}

Event Zone::event_for(const PreparedCommand& command, uint64_t seq, std::string_view result) const {
  const JsonRef root = command.document.root();
  return make_event(seq, text_of(root.get("type")), text_of(root.get("at")),
                    subject_of(root, engine_->state()), result, engine_->last_result_pin());
}

void Zone::release_old_results() {
  if (!engine_->has_result_reader()) {
    engine_->set_result_reader(journal_result_reader(dir_->path(), dir_->store()));
  }
  // Only rows already committed: the committer reads a batch's results
  // from the store until then.
  engine_->release_results(durable_seq_.load(), options_.results_kept);
  results_bytes_ = engine_->state().results.bytes();
}

void Zone::maybe_snapshot(bool force) {
  reap_snapshot(force);
  if (snapshot_child_ != 0) return;  // one at a time
  const uint64_t seq = engine_->state().last_seq;
  if (seq <= snapshot_seq_) return;
  // Writing a snapshot costs in proportion to the state, so the interval
  // grows with the zone (a quarter of its journal, at least snapshot_every):
  // the cost per command stays flat, and a restart replays at most a fifth.
  const uint64_t every = std::max<uint64_t>(options_.snapshot_every, snapshot_seq_ / 4);
  if (!force && seq < snapshot_seq_ + every) return;
  if (force) {
    // The snapshot names the journal row it ends at: wait for it to be
    // there (the committer is idle then, so the journal is ours to read).
    if (committer_ != nullptr && !committer_->finish().is_ok()) return;
    // Not over a snapshot the sharing thread may still be reading.
    Status status = dir_->snapshot(*engine_, pack_hash_, /*reuse_old=*/!sharing_);
    if (status.is_ok()) {
      snapshot_seq_ = seq;
      share_snapshot(seq, /*wait=*/true);
    } else {
      // The journal has everything; only the next start-up is slower.
      std::fprintf(stderr, "{\"level\":\"warn\",\"msg\":\"snapshot failed\",\"detail\":\"%s\"}\n",
                   status.first().message.c_str());
    }
    return;
  }
  // A deposed owner's batches are no longer committed: no snapshot of them.
  if (deposed_) return;
  // The child is made now, while the commit of row `seq` may still be
  // under way: waiting for the committer to drain first held the engine
  // for up to a commit's length (tens of milliseconds under batches, once
  // 0.4 s). A standby has no committer, and what it applied is in the
  // journal: its child reads the leaf at once.
  Result<DataDir::SnapshotChild> child = dir_->snapshot_in_child(
      *engine_, pack_hash_, /*reuse_old=*/!sharing_, /*leaf_later=*/committer_ != nullptr);
  if (!child.is_ok()) {
    std::fprintf(stderr, "{\"level\":\"warn\",\"msg\":\"snapshot failed\",\"detail\":\"%s\"}\n",
                 child.status().first().message.c_str());
    snapshot_seq_ = seq;  // try again after another snapshot_every commands
    return;
  }
  if (child->leaf != nullptr) {
    // A batch of no rows: done once every batch before it is committed, on
    // the committer's thread, whose journal it is to read. If the commit
    // fails, or the batch is dropped, the leaf is never sent and the child
    // exits.
    committer_->submit({}, "", [this, seq, leaf = child->leaf](const Status& status) {
      if (status.is_ok()) leaf->send(dir_->journal_leaf(seq));
    });
  }
  snapshot_child_ = child->pid;
  snapshot_child_seq_ = seq;
}

void Zone::give_up_snapshot() {
  if (snapshot_child_ == 0) return;
  kill(snapshot_child_, SIGKILL);
  (void)waitpid(snapshot_child_, nullptr, 0);
  snapshot_child_ = 0;
  log_line("info", "the snapshot at seq " + std::to_string(snapshot_child_seq_) +
                       " was given up at the stop; the closing snapshot replaces it");
}

void Zone::reap_snapshot(bool wait) {
  if (snapshot_child_ == 0) return;
  int status = 0;
  pid_t done = waitpid(snapshot_child_, &status, WNOHANG);
  // At shutdown, wait for it, but not for ever: a child stuck for a minute
  // is killed (the journal has everything; the next start replays more).
  for (int tenths = 0; wait && done == 0 && tenths < 600; ++tenths) {
    usleep(100'000);
    done = waitpid(snapshot_child_, &status, WNOHANG);
  }
  if (done == 0 && wait) {
    kill(snapshot_child_, SIGKILL);
    done = waitpid(snapshot_child_, &status, 0);
  }
  if (done == 0) return;  // still writing
  const bool ok = done == snapshot_child_ && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!ok) {
    std::fprintf(stderr,
                 "{\"level\":\"warn\",\"msg\":\"snapshot at seq %llu failed in its child "
                 "process\"}\n",
                 static_cast<unsigned long long>(snapshot_child_seq_));
  }
  // Written, or to be tried after more commands; but a child that failed
  // at a stop leaves the stop's own snapshot to be written (maybe_snapshot).
  if (ok || !wait) snapshot_seq_ = snapshot_child_seq_;
  snapshot_child_ = 0;
  if (ok) share_snapshot(snapshot_seq_, /*wait=*/false);
}

void Zone::share_snapshot(uint64_t seq, bool wait) {
  // The owner of a shared shard hands its snapshots to the store, so a
  // node that starts (a new standby, one back from a long stop) need not
  // replay the whole journal. On a thread: a big state takes seconds.
  if (lease_ == nullptr || !owner_) return;
  if (sharing_) {
    if (!wait) return;  // one at a time; the next snapshot is shared instead
    snapshot_share_.join();
  }
  if (snapshot_share_.joinable()) snapshot_share_.join();  // finished: no wait
  sharing_ = true;
  snapshot_share_ = std::thread([this, seq] {
    name_this_thread("zg-snap-share");
    Status shared = dir_->share_snapshot(seq);
    if (!shared.is_ok()) log_line("warn", "snapshot not shared: " + shared.first().message);
    sharing_ = false;
  });
  if (wait) snapshot_share_.join();
}

void Zone::drain() {
  {
    std::lock_guard lock(mutex_);
    if (draining_ && !thread_.joinable()) return;
    draining_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  // Lets the lease go (an owner once everything is committed), so a
  // standby takes over before this node's closing snapshot is written.
  const auto stop_lease = [this] {
    if (!lease_thread_.joinable()) return;
    {
      std::lock_guard lock(mutex_);
      lease_stop_ = true;
    }
    lease_wake_.notify_all();
    lease_thread_.join();
  };
  const bool standby = !owner_;
  if (committer_ != nullptr && !standby) {
    if (committer_->finish().is_ok() && healthy_) {
      // A server stops on a signed tree head of everything it committed.
      if (audit_ != nullptr && audit_->size() > 0) {
        Result<audit::TreeHead> head = audit_->sign_now(wall_clock_ms());
        if (!head.is_ok()) {
          std::fprintf(stderr, "zonegate serve: no closing tree head: %s\n",
                       head.status().first().message.c_str());
        }
      }
      stop_lease();
      maybe_snapshot(true);  // and shared (an owner's, even once the lease is let go)
    }
  } else if (standby && healthy_) {
    stop_lease();
    maybe_snapshot(true);  // a standby restarts from what it followed
  }
  stop_lease();
  if (snapshot_share_.joinable()) snapshot_share_.join();
}

}  // namespace zg::api
