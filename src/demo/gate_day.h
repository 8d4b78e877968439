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
// Every decision's id says what it must come to: "gd-20240902-000123-open",
// "gd-20240902-000124-not_released" (the reason that must be among the reasons);
// other commands (releases, revocations, watch lists) end in "-cmd" and must
// be accepted. check_gate_day reads phase 2's results against that.
//
// Deterministic: the same pack, options and phase 1 results give the same
// commands, byte for byte.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "demo/demo_day.h"
#include "demo/rng.h"
#include "policy/policy.h"

namespace zg::demo {

struct GateDayOptions {
  DemoOptions business;     // the zone's business that day (declarations)
  int travellers = 30'000;  // enrolled, each crossing in and out once a day
  // Macao single-plate cars, each crossing in and out: their permits are
  // issued over the months before the first day, within 95 % of each
  // month's quota (500 in Hengqin), for as many months as the pack was in
  // force, at most ten — so fewer where the pack is new.
  int cars = 2'850;
  int odd_per_thousand = 20;  // refusals and second tries, per 1,000 of each kind
  // 0 to 25: which numbers the cars' plates and the travellers' documents
  // take, so runs sent to one server (each its own series) do not meet
  // each other's cars and people.
  int serial_series = 0;
};

// The gates over a run of consecutive days (with a DemoZone's business): the
// same cars and travellers cross day after day. A permit that ends is
// renewed the evening before; a traveller revoked or watch-listed stops
// crossing, and a new one enrols the next evening in their place. Enrolments
// hold for a year: a run is at most 365 days. Not thread-safe.
class GateZone {
 public:
  GateZone(const PolicyPack& pack, const GateDayOptions& options);
  ~GateZone();
  GateZone(const GateZone&) = delete;
  GateZone& operator=(const GateZone&) = delete;

  // Phase 1 of the next day (the first call: options.business.day): the
  // business day in time order, then permits (the first day: over the months
  // before; later, renewals the evening before) and enrolments the evening
  // before.
  std::vector<std::string> preparation();

  // Phase 2 of the day preparation() last made (before any: of
  // options.business.day), from phase 1's commands and results (one result
  // per command, in order). Errors: invalid_field when the two do not pair
  // up; no_policy_in_force when no pack version is in force on the day.
  Result<std::vector<std::string>> gate_day(const std::vector<std::string>& preparation,
                                            const std::vector<std::string>& results);

  Date day() const { return day_; }
  // The zone's enterprises as of the day preparation() last made.
  const std::vector<DemoEnterprise>& enterprises() const { return enterprises_; }
  // Indexes into the last preparation() of its undervalued declarations.
  const std::vector<size_t>& undervalued() const { return undervalued_; }

 private:
  struct Known;
  const PolicyPack& pack_;
  const GateDayOptions options_;
  DemoZone business_;
  std::unique_ptr<Known> known_;
  Date day_;
  int prepared_days_ = 0;
  std::vector<DemoEnterprise> enterprises_;
  std::vector<size_t> undervalued_;
  Rng rng_;
};

// One day: the first of a run from `options`, phase by phase.
std::vector<std::string> make_gate_preparation(const PolicyPack& pack,
                                               const GateDayOptions& options);
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
