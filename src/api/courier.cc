#include "api/courier.h"

#include <algorithm>
#include <cstdio>
#include <future>
#include <optional>
#include <set>
#include <vector>

#include "api/http_client.h"
#include "audit/tree_head.h"
#include "core/json.h"
#include "core/thread_name.h"
#include "core/time.h"
#include "engine/handlers.h"
#include "exchange/envelope.h"

namespace zg::api {
namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

// What one round works on: copied from the zone's state on its thread.
struct Courier::Round {
  struct Partner {
    std::string id, inbox;
    gate::PublicKey sign{};  // checks the partner's receipts
    exchange::BoxPublicKey box{};
    std::vector<ZoneState::OutgoingMessage> messages;
  };
  std::optional<exchange::PartyKeys> zone;
  std::vector<Partner> partners;
  std::vector<ZoneState::OutgoingMessage> delivered;  // receipts checked
  std::string tree_head;                              // a new head for witnesses (JSON), or ""
  bool more = false;  // messages beyond this round's batch are waiting
};

namespace {

// Whether a witness is registered under a "tree_head" profile today.
bool witnessed(const Engine& engine) {
  const PolicyPack& pack = engine.pack();
  const PolicyVersion* version =
      pack.in_force(local_date(now_ms() / 1000, pack.utc_offset_minutes));
  if (version == nullptr) return false;
  for (const SharingProfile& p : version->sharing_profiles) {
    if (p.kind == "tree_head" && engine.state().partners.contains(p.partner)) return true;
  }
  return false;
}

// Which of a zone's results (JSON Lines, one per command) are accepted; a
// repeat of the same command is accepted again, with its first result.
std::vector<bool> accepted_lines(std::string_view results, size_t count) {
  std::vector<bool> accepted(count, false);
  size_t at = 0;
  for (size_t i = 0; i < count && at < results.size(); ++i) {
    const size_t end = std::min(results.find('\n', at), results.size());
    JsonDocument line;
    accepted[i] = line.parse(results.substr(at, end - at)).is_ok() && line.root().is_object() &&
                  line.root().get("status").text() == "accepted";
    at = end + 1;
  }
  return accepted;
}

}  // namespace

Courier::Courier(Zone& zone, CourierOptions options) : zone_(zone), options_(options) {
  thread_ = std::thread([this] { run(); });
}

Courier::~Courier() {
  stop();
}

void Courier::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Courier::stopping() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

std::map<std::string, LinkStatus> Courier::links() const {
  std::lock_guard lock(mutex_);
  return links_;
}

void Courier::wait(std::chrono::milliseconds how_long) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, how_long, [this] { return stopping_; });
}

void Courier::run() {
  name_this_thread("zg-courier");
  while (!stopping()) {
    Round round;
    bool recorded = false;
    // Only the shard's owner delivers: a standby would send the same
    // messages again, and could not record that it had.
    if (zone_.is_owner() && fetch(round)) {
      if (round.zone) deliver(round);
      if (!round.delivered.empty()) recorded = acknowledge(round);
      if (!round.tree_head.empty()) share(round.tree_head);
    }
    // A backlog goes on at once while its link delivers and the zone
    // records the deliveries.
    if (!(round.more && recorded)) wait(options_.poll);
  }
}

bool Courier::fetch(Round& round) {
  // Partners backing off are not looked at: an outbox with a day's backlog
  // for a partner that is down costs the zone's thread nothing.
  std::set<std::string> resting;
  {
    std::lock_guard lock(mutex_);
    const int64_t now = now_ms();
    for (const auto& [partner, status] : links_) {
      if (status.next_attempt_ms > now) resting.insert(partner);
    }
  }
  auto done = std::make_shared<std::promise<bool>>();
  std::future<bool> ready = done->get_future();
  const size_t batch = options_.batch;
  const AuditLog* log = &zone_.audit();
  zone_.read(
      [&round, &resting, batch, log](const Engine& engine) {
        const ZoneState& state = engine.state();
        if (engine.signing_key() == nullptr) return HttpResponse{};
        // A head that covers more than the command that shared the last one.
        if (const std::optional<audit::TreeHead> head = log->latest_tree_head();
            head && head->size > state.shared_head_seq && witnessed(engine)) {
          round.tree_head = audit::tree_head_json(*head);
        }
        if (state.outbox.empty()) return HttpResponse{};
        const gate::SigningKey& key = *engine.signing_key();
        round.zone.emplace(exchange::PartyKeys{zone_party_name(engine.pack()), key,
                                               key.box_secret_key(), key.box_public_key()});
        for (const auto& [id, p] : state.partners) {
          if (resting.count(id) != 0) continue;
          auto it = state.outbox.lower_bound(std::pair{id, std::string()});
          if (it == state.outbox.end() || it->second.partner != id) continue;
          Round::Partner& partner = round.partners.emplace_back(
              Round::Partner{p.id, p.inbox, p.keys.back().sign, p.keys.back().box, {}});
          for (; it != state.outbox.end() && it->second.partner == id; ++it) {
            if (partner.messages.size() == batch) {
              round.more = true;
              break;
            }
            partner.messages.push_back(it->second);
          }
        }
        return HttpResponse{};
      },
      [done](HttpResponse response) { done->set_value(response.status == 200); });
  return ready.get();
}

// Posts one partner's messages as one JSON Lines request: the inbox commits
// them together and answers line by line, in order. Says why it failed ("":
// every message sent was receipted) and whether any message got through.
Courier::Attempt Courier::post_batch(Round& round, size_t index) {
  const exchange::PartyKeys& zone = *round.zone;
  Round::Partner& partner = round.partners[index];
  std::vector<ZoneState::OutgoingMessage>& delivered = round.delivered;
  const std::optional<exchange::InboxAddress> address =
      exchange::parse_inbox_address(partner.inbox);
  if (!address) return {"the partner has no inbox address (register_partner \"inbox\")", false};
  Result<exchange::SharedKey> shared = exchange::shared_key(zone.box_secret, partner.box);
  if (!shared.is_ok()) return {shared.status().first().message, false};
  // At most kBatchBytes a request (any one message fits: the engine
  // shares none over 512 KiB), so no batch outgrows the partner's inbox.
  constexpr size_t kBatchBytes = 8u << 20;
  std::string batch;
  size_t sent = 0;
  for (const ZoneState::OutgoingMessage& m : partner.messages) {
    // Dated now: the partner checks the date against its receipt, and a
    // retry may come long after the message was made (its own time is the
    // body's "at").
    const exchange::Letter letter{m.partner, m.id, m.kind,
                                  format_rfc3339(Timestamp{now_ms() / 1000, 0}), m.body};
    Result<std::string> envelope = exchange::seal(zone, partner.box, *shared, letter);
    if (!envelope.is_ok()) {
      return {"cannot seal " + m.id + ": " + envelope.status().first().message, false};
    }
    if (sent > 0 && batch.size() + envelope->size() + 1 > kBatchBytes) break;
    batch += *envelope + "\n";
    ++sent;
  }
  if (stopping()) return {"the server is stopping", false};
  HttpClient link(address->host, address->port, options_.timeout);
  const Result<std::pair<int, std::string>> answer =
      link.post(address->target, batch, "application/x-ndjson");
  if (!answer.is_ok()) return {answer.status().first().message, false};
  if (answer->first != 200) {
    std::string error = "the inbox answered " + std::to_string(answer->first);
    JsonDocument problem;
    if (problem.parse(answer->second).is_ok() && problem.root().is_object() &&
        problem.root().get("detail").is_string()) {
      error += ": " + std::string(problem.root().get("detail").text().substr(0, 300));
    }
    return {error, false};
  }
  std::string error;
  bool progressed = false;
  const std::string_view lines = answer->second;
  size_t at = 0;
  for (size_t i = 0; i < sent; ++i) {
    const ZoneState::OutgoingMessage& m = partner.messages[i];
    const size_t end = std::min(lines.find('\n', at), lines.size());
    JsonDocument line;
    const bool parsed = at < lines.size() && line.parse(lines.substr(at, end - at)).is_ok() &&
                        line.root().is_object();
    at = end + 1;
    const JsonRef r = line.root();
    if (parsed && r.get("acknowledged").is_bool() && r.get("acknowledged").as_bool()) {
      // Only a receipt signed by the partner's key over this very message
      // counts: an answer forged on the way does not.
      Result<gate::Signature> receipt = audit::parse_signature(r.get("receipt").text());
      const std::string text = exchange::receipt_text(zone.name, partner.id, m.id,
                                                      exchange::message_content(m.kind, m.body));
      if (r.get("message").text() == m.id && receipt.is_ok() &&
          gate::verify_signature(text, *receipt, partner.sign)) {
        delivered.push_back(m);
        progressed = true;
        continue;
      }
      if (error.empty()) error = "the receipt for " + m.id + " does not hold";
    } else if (error.empty()) {
      error = "the inbox refused " + m.id;
      if (parsed && r.get("detail").is_string()) {
        error += ": " + std::string(r.get("detail").text().substr(0, 300));
      }
    }
  }
  return {error, progressed};
}

void Courier::deliver(Round& round) {
  for (size_t i = 0; i < round.partners.size(); ++i) {
    if (stopping()) return;
    const Round::Partner& partner = round.partners[i];
    const auto [error, progressed] = post_batch(round, i);
    std::lock_guard lock(mutex_);
    LinkStatus& status = links_[partner.id];
    if (error.empty() || progressed) {
      // The link works. A message the partner refused while taking others
      // waits and is sent again; the partner applies each on its own, so
      // it holds back none after it.
      status.failures = 0;
      status.last_error = error;
      status.next_attempt_ms = 0;
      continue;
    }
    if (status.failures == 0 || status.last_error != error) {
      std::fprintf(stderr, "zonegate serve: delivery to %s failed (will retry): %s\n",
                   partner.id.c_str(), error.c_str());
    }
    ++status.failures;
    status.last_error = error;
    const int64_t backoff = std::min<int64_t>(options_.retry_max.count(),
                                              options_.retry_min.count()
                                                  << std::min<uint64_t>(status.failures - 1, 16));
    status.next_attempt_ms = now_ms() + backoff;
  }
}

// Sends the courier's own commands (as admin, outside any window) and waits
// until they are durable; which were accepted.
std::vector<bool> Courier::submit(const std::vector<std::string>& commands) {
  const int64_t now = now_ms() / 1000;
  const std::string received_at = format_rfc3339(Timestamp{now, 0});
  Zone::Submission submission;
  submission.role = "admin";
  submission.received_at = now;
  submission.json_lines = true;
  const Principal courier{std::string(kCourierPrincipal), Role::kAdmin, "", 0};
  submission.commands.resize(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    admit_command(commands[i], static_cast<int64_t>(i + 1), courier, received_at, std::nullopt,
                  submission.commands[i]);
  }
  auto done = std::make_shared<std::promise<std::vector<bool>>>();
  std::future<std::vector<bool>> committed = done->get_future();
  const size_t count = commands.size();
  submission.done = [done, count](const Status& status, std::string results) {
    if (!status.is_ok()) {
      std::fprintf(stderr, "zonegate serve: the courier's commands were not recorded: %s\n",
                   status.first().message.c_str());
      return done->set_value(std::vector<bool>(count, false));
    }
    std::vector<bool> accepted = accepted_lines(results, count);
    if (std::find(accepted.begin(), accepted.end(), false) != accepted.end()) {
      std::fprintf(stderr, "zonegate serve: the zone refused some of the courier's commands: %s\n",
                   results.substr(0, 600).c_str());
    }
    done->set_value(std::move(accepted));
  };
  zone_.submit(std::move(submission));
  return committed.get();
}

bool Courier::acknowledge(const Round& round) {
  std::vector<std::string> commands;
  for (const ZoneState::OutgoingMessage& m : round.delivered) {
    std::string text;
    JsonWriter w(text);
    // The same command each time for a message (its id and at are the
    // message's), so an acknowledgement sent twice is a repeat; ids of this
    // form are the server's own (the door refuses them from tokens).
    w.begin_object().field("type", "acknowledge_delivery");
    w.field("id", "delivered-" + m.partner + "-" + m.id).field("at", m.at);
    w.field("partner", m.partner).field("message", m.id).end_object();
    commands.push_back(std::move(text));
  }
  const std::vector<bool> recorded = submit(commands);
  const int64_t now = now_ms() / 1000;
  std::lock_guard lock(mutex_);
  bool all = true;
  for (size_t i = 0; i < round.delivered.size(); ++i) {
    all = all && recorded[i];
    if (!recorded[i]) continue;
    LinkStatus& status = links_[round.delivered[i].partner];
    ++status.delivered;
    status.last_delivery = now;
  }
  return all;
}

void Courier::share(const std::string& tree_head) {
  JsonDocument head;
  if (!head.parse(tree_head).is_ok()) return;
  const JsonRef ms = head.root().get("timestamp_ms");
  const int64_t signed_at = ms.exists() ? std::stoll(std::string(ms.text())) / 1000 : 0;
  std::string text;
  JsonWriter w(text);
  w.begin_object().field("type", "share_tree_head");
  w.field("id", "tree-head-" + std::string(head.root().get("size").text()));
  w.field("at", format_rfc3339(Timestamp{signed_at, 0}));  // the same command if sent again
  w.key("tree_head").raw(tree_head).end_object();
  submit({text});
}

}  // namespace zg::api
