// The event stream (GET /v1/events): accepted commands' results, in journal
// order, as Server-Sent Events, once they are durable. Watchers resume from
// a sequence number; the hub keeps the most recent events for that.
// Thread-safe: the zone publishes from the committer's thread, watchers
// join from I/O threads.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/http.h"
#include "api/tokens.h"

namespace zg::api {

// An accepted command's result, as watchers see it. Kept small: the
// result of a command the zone answered is a view into the engine's result
// store, with a pin on the chunk it is in (ResultStore::pin: the store
// releases older results, but a pinned chunk stays until its last event
// goes); one read back from the journal (a restart's recent events, a
// standby's) is owned by the event. The SSE frame is written only when a
// watcher is sent it.
struct Event {
  uint64_t seq = 0;
  std::string type;     // the command's type
  std::string at;       // its "at"
  std::string subject;  // the enterprise it is about ("" when none)
  std::string_view result;
  // What `result` views: a pinned chunk of a result store, or a copy of
  // its own; null when it views a store that must outlive it.
  std::shared_ptr<const void> kept;

  // Makes `result` a view of a copy of its own, unless it has something
  // that keeps it already.
  void keep_result();
  // The SSE frame: "id: …\nevent: …\ndata: {"seq","type","at","result"}\n\n".
  std::string frame() const;
};

// An event whose result lives in the engine's result store, kept there by
// `pin` (Engine::last_result_pin) or, without one, while the store lives.
Event make_event(uint64_t seq, std::string_view type, std::string_view at, std::string_view subject,
                 std::string_view stored_result, std::shared_ptr<const void> pin = nullptr);
// An event that keeps a copy of its result (one read from a journal row).
Event make_event_keeping(uint64_t seq, std::string_view type, std::string_view at,
                         std::string_view subject, std::string_view result);

// Whether a principal may see an event: enterprises only what is about
// them, gate devices declarations and releases, the rest everything.
bool may_see(const Principal& principal, const Event& event);

class EventHub {
 public:
  explicit EventHub(size_t kept = 100'000);
  ~EventHub();
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  // Adds durable events (in sequence order) and sends them to watchers.
  void publish(std::vector<Event> events);
  // The oldest sequence number a watcher can resume after (events after
  // it are all kept); 0 when the hub has everything since the start.
  uint64_t resumable_from() const;
  // Sends the kept events after `after_seq` that `principal` may see, then
  // every new one, until the sink closes.
  void watch(std::shared_ptr<EventSink> sink, Principal principal, uint64_t after_seq);
  size_t watchers() const;
  // After a restart: events up to `seq` are not kept (resuming before is 410).
  void set_resumable_from(uint64_t seq);
  // Forgets every watcher (the server is going away).
  void forget_watchers();
  // Gives every kept event a copy of its result, before the engine whose
  // result store they view goes away (a zone stepping down rebuilds it).
  void own_results();

 private:
  struct Watcher {
    std::shared_ptr<EventSink> sink;
    Principal principal;
    uint64_t after = 0;  // sends only events after this seq
  };
  void heartbeat();

  const size_t kept_;
  mutable std::mutex mutex_;
  std::deque<Event> recent_;
  uint64_t dropped_through_ = 0;  // events up to this seq are no longer kept
  std::vector<Watcher> watchers_;
  std::condition_variable stop_;
  bool stopping_ = false;
  std::thread heartbeat_;
};

}  // namespace zg::api
