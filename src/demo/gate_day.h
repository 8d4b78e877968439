// A Hengqin day at the gates, as contract commands: trucks at the cargo
// channels of both lines, Macao single-plate cars, tens of thousands of
// travellers through the non-contact lanes — with the mistakes and refusals
// a real day has, each one expected.
//
// Two phases, as in life: a gate device only knows a credential after the
// enrolment that issued it, and a truck only carries declaration numbers the
// zone gave out. So:
//   1. make_gate_preparation: the business day (make_demo_day: registrations
//      and declarations, some held), permits the day before, enrolments;
//   2. make_gate_day reads phase 1's commands and their results (declaration
//      numbers, lanes, credentials) and makes the day at the gates.
// Every decision's id says what it must come to: "gd-000123-open",
// "gd-000124-not_released" (the reason that must be among the reasons);
// other commands (releases, revocations, watch lists) end in "-cmd" and must
// be accepted. check_gate_day reads phase 2's results against that.
//
// Deterministic: the same pack, options and phase 1 results give the same
// commands, byte for byte.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "demo/demo_day.h"
#include "policy/policy.h"

namespace zg::demo {

struct GateDayOptions {
  DemoOptions business;       // the zone's business that day (declarations)
  int travellers = 30'000;    // enrolled, each crossing in and out once
  int cars = 400;             // Macao single-plate cars (permits: the month's quota is 500)
  int odd_per_thousand = 20;  // refusals and second tries, per 1,000 of each kind
};

// Phase 1, in time order of the business day, with permits and enrolments
// dated the day before.
std::vector<std::string> make_gate_preparation(const PolicyPack& pack,
                                               const GateDayOptions& options);

// Phase 2, from phase 1's commands and results (one result per command, in
// order). Errors: invalid_field when the two do not pair up, or phase 1 left
// nothing for the gates (no pack version in force, say).
Result<std::vector<std::string>> make_gate_day(const PolicyPack& pack,
                                               const GateDayOptions& options,
                                               const std::vector<std::string>& preparation,
                                               const std::vector<std::string>& results);

struct GateDayCheck {
  int64_t decisions = 0;
  int64_t open = 0;
  int64_t stopped = 0;  // held or referred, as expected
  int64_t other_commands = 0;
  std::map<std::string, int64_t> stopped_by_reason;  // the expected reason
  std::vector<std::string> mismatches;               // "gd-000124-not_released: got open"
  bool ok() const { return mismatches.empty(); }
};

// Checks phase 2's results against the expectations in their ids; there
// must be one result per command (`commands`: how many phase 2 had).
GateDayCheck check_gate_day(const std::vector<std::string>& results, size_t commands);

}  // namespace zg::demo
