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
  std::vector<demo::DemoEnterprise> enterprises;
  size_t commands = 0, accepted = 0;
  demo::GateDayCheck gates;  // the gates' decisions against what the simulator expected
  double seconds = 0;        // generating and applying, durably
};

// A day's scale as the command line gives it: a number above 0 and at most
// 10 (ten days' worth in one go: 300,000 travellers); false otherwise.
bool parse_scale(const std::string& text, double& scale);

// The options for a day at `scale` (1.0: some 600 declarations, 30,000
// travellers crossing in and out, 400 cars; cars at most the pack's monthly
// permit quota).
demo::GateDayOptions day_options(const PolicyPack& pack, Date day, double scale, uint64_t seed);

// Generates the day and applies it to `zone` as a trusted loader (no door:
// the day's times need not be now), phase by phase; `progress(done, total)`
// after each part. Commands applied before (the same ids) answer as before,
// so feeding the same day twice changes nothing.
Result<SimulatedDay> feed_day(api::Zone& zone, const demo::GateDayOptions& options,
                              const std::function<void(size_t done, size_t total)>& progress);

}  // namespace zg::cli
