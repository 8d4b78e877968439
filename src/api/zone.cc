#include "api/zone.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "api/problem.h"
#include "core/json.h"

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
                      /*use_snapshots=*/true, options.store);
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
    Status parsed = entry.parse(row.entry);
    if (!parsed.is_ok()) return parsed;
    const JsonRef command = entry.root().get("command");
    // The result as the engine answered it (the journal keeps it canonical).
    const auto applied = state.applied.find(text_of(command.get("id")));
    if (applied == state.applied.end()) {
      return Status(ErrorCode::kCorruption, "",
                    "journal row " + std::to_string(row.seq) + " names a command the zone lacks");
    }
    recent.push_back(make_event(row.seq, text_of(command.get("type")), text_of(command.get("at")),
                                subject_of(command, state),
                                state.results.get(applied->second.result)));
    return Status::ok();
  });
  if (!read.is_ok()) return read;
  events.publish(std::move(recent));
  if (from > 1) events.set_resumable_from(from - 1);  // older events are not kept

  Result<AuditLog*> audit = zone->dir_->audit_log(zone->pack_->zone_id);
  if (!audit.is_ok()) return audit.status();
  zone->audit_ = *audit;
  Metrics* observed = &metrics;
  zone->committer_ = std::make_unique<Committer>(
      zone->dir_->journal(), hash, nullptr, options.commit_max,
      [observed](size_t rows, double seconds) { observed->commit(rows, seconds); }, zone->audit_);
  Zone* z = zone.get();
  zone->thread_ = std::thread([z] { z->run(); });
  return zone;
}

Zone::~Zone() {
  drain();
}

void Zone::submit(Submission submission) {
  const size_t n = submission.commands.size();
  std::unique_lock lock(mutex_);
  std::string refusal;
  if (draining_) {
    refusal = "the server is shutting down";
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
  for (;;) {
    std::deque<Job> work;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return !jobs_.empty() || draining_; });
      if (jobs_.empty()) break;  // draining, and nothing left
      work.swap(jobs_);
    }
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
      // in memory is ahead of the journal, so nothing more is served.
      healthy_ = false;
      const Status failed(ErrorCode::kUnavailable, "", "the journal failed to commit");
      for (Answer& answer : *answers) answer.deliver(failed);
    }
    if (healthy_) maybe_snapshot(false);
  }
}

void Zone::apply(Submission& submission, std::vector<PendingEntry>& entries,
                 std::vector<Event>& events, Answer& answer) {
  answer.results.reserve(submission.commands.size() * 1024);
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
                    subject_of(root, engine_->state()), result);
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
  // The snapshot names the journal row it ends at: wait for it to be there
  // (the committer is idle then, so the journal is ours to read).
  if (!committer_->finish().is_ok()) return;
  if (force) {
    Status status = dir_->snapshot(*engine_, pack_hash_);
    if (status.is_ok()) {
      snapshot_seq_ = seq;
    } else {
      // The journal has everything; only the next start-up is slower.
      std::fprintf(stderr, "{\"level\":\"warn\",\"msg\":\"snapshot failed\",\"detail\":\"%s\"}\n",
                   status.first().message.c_str());
    }
    return;
  }
  Result<int> child = dir_->snapshot_in_child(*engine_, pack_hash_);
  if (!child.is_ok()) {
    std::fprintf(stderr, "{\"level\":\"warn\",\"msg\":\"snapshot failed\",\"detail\":\"%s\"}\n",
                 child.status().first().message.c_str());
    snapshot_seq_ = seq;  // try again after another snapshot_every commands
    return;
  }
  snapshot_child_ = *child;
  snapshot_child_seq_ = seq;
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
  snapshot_seq_ = snapshot_child_seq_;  // written, or to be tried after more commands
  snapshot_child_ = 0;
}

void Zone::drain() {
  {
    std::lock_guard lock(mutex_);
    if (draining_ && !thread_.joinable()) return;
    draining_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (committer_ != nullptr) {
    if (committer_->finish().is_ok() && healthy_) {
      // A server stops on a signed tree head of everything it committed.
      if (audit_ != nullptr && audit_->size() > 0) {
        Result<audit::TreeHead> head = audit_->sign_now(wall_clock_ms());
        if (!head.is_ok()) {
          std::fprintf(stderr, "zonegate serve: no closing tree head: %s\n",
                       head.status().first().message.c_str());
        }
      }
      maybe_snapshot(true);
    }
  }
}

}  // namespace zg::api
