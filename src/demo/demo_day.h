// A believable day in the Hengqin zone, as contract commands, from a seed.
//
// `zonegate serve --demo` starts a fresh zone and feeds it these commands, so
// a new user sees realistic data; a fuller simulator will grow from here.
// The day: the zone's enterprises register before the port opens; through
// the day they bring processing inputs, equipment and trade goods in from
// Macao (first line), buy inputs on the mainland (second line, in), process
// them, send goods to the mainland (second line, out: produced goods above and
// below the 30 % value-added threshold, bonded goods paying their taxes),
// re-export to Macao, transfer goods to each other and sell to individuals in
// the zone; a few warehouses count their stock in the evening.
//
// Everything the engine checks comes from the pack: the version in force on
// the day, its tariff lines (HS codes and units), lists, channels and
// exchange rates (a currency without a rate for the day's month gets a
// set_rate first, from the pack's latest earlier rate, or is not used).
//
// Deterministic: the same pack and options give the same commands, byte for
// byte (a PRNG of our own, seeded from options.seed; no clock, no hashing
// order).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/time.h"
#include "policy/policy.h"

namespace zg::demo {

struct DemoOptions {
  Date day{2024, 9, 2};       // the local (pack offset, UTC+8 for Hengqin) day simulated
  uint64_t seed = 20240902;   // same seed, same commands, byte for byte
  int enterprises = 36;       // a few dozen: about a third Macao-funded, a quarter high-tech
  int declarations = 600;     // declare commands over the day (process and stocktake come on top)
  int bad_per_thousand = 10;  // deliberately wrong declarations (a clerk's typos), per 1,000
  // Second-line exits of trade goods declared below their price, per 1,000,
  // by enterprises in good standing (a dishonest one: one in four).
  int undervalued_per_thousand = 10;
  // Over a run of days: the chance in 100 that a new enterprise registers on
  // a day after the first (the zone grows by a hundred or so a year).
  int joining_per_100_days = 30;
  // Added to the day in every id ("demo-20240902s7-0001"), where runs of one
  // day must not share ids (several sent live to one server); "" for none.
  std::string id_tag;
};

struct DemoEnterprise {
  std::string uscc;
  std::string name;
  bool macao_funded = false;
  bool high_tech = false;
};

struct DemoDay {
  std::vector<DemoEnterprise> enterprises;  // the zone's, registered that day or before
  // JSON objects (no newline), in time order: a set_rate where the pack
  // lacks the month's rate (06:30), register_enterprise for each enterprise
  // (from 07:00), then declare, process and stocktake through the day
  // (07:30-22:30). Ids carry the day: "demo-20240902-0001", ...
  std::vector<std::string> commands;
  // Indexes into `commands` of the deliberately wrong ones (a wrong USCC
  // check character, an HS code not in the tariff, a unit that is not the
  // tariff line's, more than the book holds): the engine should reject
  // exactly these and accept every other command.
  std::vector<size_t> deliberate_errors;
  // Indexes of the declarations that understate their value (trade goods
  // leaving for the mainland at a tenth to under a third of their price): accepted,
  // and what the risk lanes are for.
  std::vector<size_t> undervalued;
};

// A run of consecutive days in one zone, from options.day: the enterprises
// register on the first day and trade every day, their books (and so what
// they can send out) carrying over; now and then a new one registers. A
// day's commands depend on the days before it, so the same options give the
// same run, day by day. Not thread-safe.
class DemoZone {
 public:
  DemoZone(const PolicyPack& pack, const DemoOptions& options);
  ~DemoZone();
  DemoZone(const DemoZone&) = delete;
  DemoZone& operator=(const DemoZone&) = delete;

  // The next day's commands (the first call: options.day's). With no policy
  // version in force on the day, only registrations and nothing declared;
  // with no enterprises, none.
  DemoDay next_day();

 private:
  class Builder;
  std::unique_ptr<Builder> builder_;
};

// One day: the first of a run from `options`.
DemoDay make_demo_day(const PolicyPack& pack, const DemoOptions& options);

}  // namespace zg::demo
