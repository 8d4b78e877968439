// Risk selection: which lane a declaration takes, and why (docs/risk.md).
//
// The lane is the most demanding of: the pack's default lane; the
// licensed-goods lane when an item is on the licence list; a random draw --
// red or yellow at the rates the pack sets for the declarant's credit grade
// (never below its minimum_random); the lane of every criterion the
// declaration meets (HS prefixes, origins, declarants, movements, value
// bands, first-time declarants, declarants with discrepancies found); the
// learned score, when the pack has a model; and the unit-value check (a unit value far from the
// median of those declared lately for the same goods). The draw comes from the pack's seed, a
// secret of the zone's and the declaration's number, never from a clock, so a replay draws the same
// and a trader who knows the pack cannot foresee it.
//
// Capacity: criteria and the unit-value check raise a declaration into red
// or yellow only while that lane has inspection capacity left (the pack's
// share of declarations); licensed goods, random draws and criteria marked
// capped = false always select, and use capacity too. A hit that finds no
// capacity is still a reason ("over-capacity/criterion/..."), for audit.
// Reasons are kept for officers, never told to the declarant.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "assess/treatment.h"
#include "engine/state.h"
#include "gate/credential.h"
#include "policy/policy.h"

namespace zg {

struct LaneInput {
  Movement movement = Movement::kFirstLineEntry;
  std::string_view declarant;     // USCC
  std::string_view credit_grade;  // advanced, general, dishonest
  std::string_view number;        // the declaration's number: the draw's identity
  std::string_view secret;        // the zone's selection secret (zone_selection_secret)
  int64_t declared_fen = 0;       // the declaration's declared value, CNY
  bool first_time = false;        // the declarant's first declaration in the zone
  // What the learned score reads besides (risk/zone_row.h).
  std::string_view date, channel, purpose, currency;
  struct Item {
    std::string_view hs, origin, unit;
    bool licence_listed = false;
    int64_t declared_fen = 0;  // the item's declared value, CNY
    int64_t quantity_e4 = 0;
    int64_t customs_fen = 0, duty_fen = 0;  // as assessed, CNY
    std::string_view article;               // the item's code as declared ("item")
  };
  std::vector<Item> items;
};

struct LaneChoice {
  Lane lane = Lane::kGreen;
  // "licence/24022000", "criterion/watch-wine", "random/red",
  // "unit-value/22042100/FR/0.21" (the unit value over the median),
  // "score/0.93" (the learned probability of fraud), "score/unavailable",
  // "over-capacity/criterion/watch-wine" ... in the order found, each asking
  // for more than the default lane; empty when the default stands.
  std::vector<std::string> reasons;
};

// Chooses the lane and records it in `state`: the capacity used, the hits,
// and the items' unit values (after they were judged).
LaneChoice choose_lane(const RiskSettings& risk, const LaneInput& input, RiskState& state);

// An item's unit value in 10^-4 fen per unit of quantity; -1 when it has no
// quantity or no value.
int64_t unit_value_e4(int64_t declared_fen, int64_t quantity_e4);

// The zone's selection secret: derived from its signing key (which never
// changes and never leaves the data directory), hex.
std::string zone_selection_secret(const gate::SigningKey& key);

// The random draw in [0, 1,000,000): SHA-256 of the seed, the secret and the
// identity, each followed by a line break but the last, its first eight
// bytes as a number, modulo a million.
uint32_t selection_draw(std::string_view seed, std::string_view secret, std::string_view identity);

// How much attention a lane asks for: green < blue < yellow < red.
int lane_weight(Lane lane);

}  // namespace zg
