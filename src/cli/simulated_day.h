// A simulated Hengqin day fed into a zone (docs/web.md): the business day
// (registrations, declarations at both lines, processing, transfers, sales,
// stock-takes; src/demo/demo_day.h) and the day at the gates (permits and
// enrolments the day before, then trucks, Macao single-plate cars and tens
// of thousands of travellers; src/demo/gate_day.h), from a seed. Used by
// `zonegate simulate --data` and `zonegate serve --demo`.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "api/zone.h"
#include "core/status.h"
#include "demo/gate_day.h"

namespace zg::cli {

struct SimulatedDay {
  Date day;
  std::vector<demo::DemoEnterprise> enterprises;  // the zone's, as of the day
  size_t commands = 0, accepted = 0;
  // Declarations that understate their value, and how many of them the risk
  // lanes held (red or yellow) for an officer.
  size_t undervalued = 0, undervalued_held = 0;
  demo::GateDayCheck gates;  // the gates' decisions against what the simulator expected
  double seconds = 0;        // generating and applying, durably
};

// A day's scale as the command line gives it: a number above 0 and at most
// 10 (ten days' worth in one go: 300,000 travellers); false otherwise.
bool parse_scale(const std::string& text, double& scale);

// How many of a batch's results (one JSON object each) are accepted.
size_t count_accepted(const std::vector<std::string>& results);

// A run's length as the command line gives it: 1 to 365 days (the
// travellers enrolled before the first day hold credentials for a year).
bool parse_days(const std::string& text, int& days);

// The options for a day: the business at `scale` (1.0: some 600
// declarations), the gates at `gate_scale` (1.0: 30,000 travellers and 2,850
// single-plate cars crossing in and out; cars as many as the pack's monthly
// permit quotas allow).
demo::GateDayOptions day_options(Date day, double scale, double gate_scale, uint64_t seed);

// Generates the day and applies it to `zone` as a trusted loader (no door:
// the day's times need not be now), phase by phase; `progress(done, total)`
// after each part. Commands applied before (the same ids) answer as before,
// so feeding the same day twice changes nothing.
Result<SimulatedDay> feed_day(api::Zone& zone, const demo::GateDayOptions& options,
                              const std::function<void(size_t done, size_t total)>& progress);

// Feeds `days` consecutive days from options.business.day (demo::GateZone:
// the same enterprises, cars and travellers day after day), calling
// `day_done` after each; progress as above, within each day. Stops at the
// first error (the days before it stay applied: feeding the run again
// repeats them unchanged and goes on).
Status feed_days(api::Zone& zone, const demo::GateDayOptions& options, int days,
                 const std::function<void(size_t done, size_t total)>& progress,
                 const std::function<void(const SimulatedDay&)>& day_done);

}  // namespace zg::cli
