#include "api/events.h"

#include <algorithm>
#include <chrono>

#include "core/json.h"
#include "core/thread_name.h"

namespace zg::api {
namespace {

// A comment line every so often keeps proxies from closing a quiet stream,
// and finds watchers that went away.
constexpr auto kHeartbeat = std::chrono::seconds(15);
// A watcher resuming far back gets this much of the backlog, then the
// stream ends and its client reconnects with Last-Event-ID for the next
// part: memory stays bounded and publishing never waits long for the lock.
constexpr size_t kBacklogBytesMax = 2u << 20;

}  // namespace

Event make_event(uint64_t seq, std::string_view type, std::string_view at, std::string_view subject,
                 std::string_view stored_result, std::shared_ptr<const void> pin) {
  Event event;
  event.seq = seq;
  event.type = std::string(type);
  event.at = std::string(at);
  event.subject = std::string(subject);
  event.result = stored_result;
  event.kept = std::move(pin);
  return event;
}

Event make_event_keeping(uint64_t seq, std::string_view type, std::string_view at,
                         std::string_view subject, std::string_view result) {
  Event event = make_event(seq, type, at, subject, result);
  event.keep_result();
  return event;
}

void Event::keep_result() {
  if (kept != nullptr) return;
  auto copy = std::make_shared<const std::string>(result);
  result = *copy;
  kept = std::move(copy);
}

std::string Event::frame() const {
  std::string data;
  data.reserve(result.size() + 96);
  JsonWriter w(data);
  w.begin_object()
      .field("seq", static_cast<int64_t>(seq))
      .field("type", type)
      .field("at", at)
      .key("result")
      .raw(result)
      .end_object();
  return "id: " + std::to_string(seq) + "\nevent: " + type + "\ndata: " + data + "\n\n";
}

bool may_see(const Principal& principal, const Event& event) {
  switch (principal.role) {
    case Role::kEnterprise: return !event.subject.empty() && event.subject == principal.uscc;
    case Role::kGate:
      return event.type == "declare" || event.type == "release" ||
             event.type == "inspection_result";
    case Role::kOfficer:
    case Role::kAuditor:
    case Role::kAdmin: return true;
  }
  return false;
}

EventHub::EventHub(size_t kept) : kept_(kept), heartbeat_([this] { heartbeat(); }) {}

EventHub::~EventHub() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_.notify_all();
  heartbeat_.join();
}

void EventHub::publish(std::vector<Event> events) {
  std::lock_guard lock(mutex_);
  for (Event& event : events) {
    std::string frame;  // written once, for however many watchers see it
    for (Watcher& w : watchers_) {
      if (event.seq <= w.after || !may_see(w.principal, event)) continue;
      if (frame.empty()) frame = event.frame();
      w.sink->send(frame);
    }
    recent_.push_back(std::move(event));
  }
  while (recent_.size() > kept_) {
    dropped_through_ = recent_.front().seq;
    recent_.pop_front();
  }
  std::erase_if(watchers_, [](const Watcher& w) { return !w.sink->open(); });
}

void EventHub::own_results() {
  std::lock_guard lock(mutex_);  // watch() writes frames under it
  for (Event& event : recent_) event.keep_result();
}

void EventHub::set_resumable_from(uint64_t seq) {
  std::lock_guard lock(mutex_);
  dropped_through_ = std::max(dropped_through_, seq);
}

uint64_t EventHub::resumable_from() const {
  std::lock_guard lock(mutex_);
  return dropped_through_;
}

void EventHub::watch(std::shared_ptr<EventSink> sink, Principal principal, uint64_t after_seq) {
  std::lock_guard lock(mutex_);
  // The kept events first, under the lock, so none is missed or repeated
  // between them and the live ones.
  sink->send(": zonegate events\n\n");
  size_t bytes = 0;
  uint64_t last = after_seq;
  for (const Event& event : recent_) {
    if (event.seq <= after_seq || !may_see(principal, event)) continue;
    if (bytes > kBacklogBytesMax) {
      // Enough for now: the client comes back for the rest.
      sink->send(": more after " + std::to_string(last) + "; reconnect with Last-Event-ID\n\n");
      sink->end();
      return;
    }
    std::string frame = event.frame();
    bytes += frame.size();
    last = event.seq;
    sink->send(std::move(frame));
  }
  watchers_.push_back(Watcher{std::move(sink), std::move(principal), after_seq});
}

size_t EventHub::watchers() const {
  std::lock_guard lock(mutex_);
  return watchers_.size();
}

void EventHub::forget_watchers() {
  std::lock_guard lock(mutex_);
  watchers_.clear();
}

void EventHub::heartbeat() {
  name_this_thread("zg-heartbeat");
  std::unique_lock lock(mutex_);
  while (!stop_.wait_for(lock, kHeartbeat, [this] { return stopping_; })) {
    for (Watcher& w : watchers_) w.sink->send(": keep-alive\n\n");
    std::erase_if(watchers_, [](const Watcher& w) { return !w.sink->open(); });
  }
}

}  // namespace zg::api
