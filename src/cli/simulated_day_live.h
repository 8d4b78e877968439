// A simulated Hengqin day sent to a running server (`zonegate simulate
// --to URL`), as the zone's devices and officers would send it: over the
// HTTP API, with a token, each command dated when it is sent (a server
// bounds a command's "at" to around now, per role).
#pragma once

#include <functional>
#include <string>

#include "cli/simulated_day.h"
#include "core/status.h"
#include "demo/gate_day.h"
#include "policy/policy.h"

namespace zg::cli {

struct LiveTarget {
  std::string host, port;   // from http://HOST:PORT
  std::string token;        // an officer's: it may send every command of the day
  std::string admin_token;  // for set_rate, where the day needs one ("" : those are left out)
  // How much faster than real time the day at the gates is paced (60: a
  // day in 24 minutes); 0 sends it as fast as the server takes it.
  double speed = 60;
};

// Parses "http://HOST:PORT" (no path, no TLS); false otherwise.
bool parse_target_url(const std::string& url, LiveTarget& target);

// Sends one day to the server: phase 1 (registrations, permits, enrolments,
// the day's declarations) at once, as the morning's paperwork; then, from
// its answers, the day at the gates, paced at `speed`. Every command is
// dated when it is sent, so the same day (ids under options.business.id_tag)
// cannot be sent twice: the second time is refused as the server's id
// conflict before anything else is sent. `progress` as for feed_day.
Result<SimulatedDay> send_day(const PolicyPack& pack, const demo::GateDayOptions& options,
                              const LiveTarget& target,
                              const std::function<void(size_t done, size_t total)>& progress);

}  // namespace zg::cli
