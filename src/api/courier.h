// The courier: delivers the zone's outbox to its partners (docs/exchange.md).
//
// A thread of the server. Each round it reads the messages waiting in the
// outbox (zone state, rebuilt from the journal, so nothing is lost on a
// crash), seals each afresh — signed by the zone, sealed to the partner,
// dated now — and posts it to the partner's inbox. When the partner answers
// that it has the message, the courier sends acknowledge_delivery, which
// takes it off the outbox; until then it retries, backing off while the
// link is down. A message whose acknowledgement was lost is sent again and
// the partner answers it as a duplicate, so it is applied there once.
// Messages to one partner go in the order they were made; the partner
// applies each on its own, so one it refuses waits (and is retried) without
// holding back those after it. The link backs off only when nothing got
// through. When a witness is registered (a "tree_head"
// profile), each new tree head is shared with it the same way.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/zone.h"

namespace zg::api {

struct CourierOptions {
  std::chrono::milliseconds poll{200};                          // how often the outbox is looked at
  std::chrono::milliseconds retry_min{250}, retry_max{30'000};  // back-off while a link fails
  std::chrono::seconds timeout{5};  // connecting, sending and reading an answer
  size_t batch = 256;               // messages per partner per round (one request)
};

// How a partner's link stands, for GET /v1/exchange/outbox.
struct LinkStatus {
  uint64_t delivered = 0;       // messages acknowledged since the server started
  uint64_t failures = 0;        // failed attempts in a row (0: the link is up)
  std::string last_error;       // why the last attempt failed
  int64_t last_delivery = 0;    // unix seconds, 0 for none yet
  int64_t next_attempt_ms = 0;  // unix milliseconds
};

class Courier {
 public:
  Courier(Zone& zone, CourierOptions options);
  ~Courier();
  Courier(const Courier&) = delete;
  Courier& operator=(const Courier&) = delete;

  // Stops after the current attempt (each is bounded by the timeout).
  void stop();
  std::map<std::string, LinkStatus> links() const;

 private:
  struct Round;
  void run();
  bool fetch(Round& round);
  void deliver(Round& round);
  struct Attempt {
    std::string error;
    bool progressed = false;
  };
  Attempt post_batch(Round& round, size_t partner);
  bool acknowledge(const Round& round);      // whether every one was recorded
  void share(const std::string& tree_head);  // share_tree_head
  std::vector<bool> submit(const std::vector<std::string>& commands);
  bool stopping() const;
  void wait(std::chrono::milliseconds how_long);

  Zone& zone_;
  const CourierOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::map<std::string, LinkStatus> links_;
  std::thread thread_;
};

}  // namespace zg::api
