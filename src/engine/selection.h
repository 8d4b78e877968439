// Risk selection: which lane a declaration takes, and why (docs/risk.md).
//
// The lane is the most demanding of: the pack's default lane; the
// licensed-goods lane when an item is on the licence list; the lane of every
// criterion the declaration meets (HS prefixes, origins, declarants,
// movements, from the pack); and a random draw — red or yellow at the rates
// the pack sets for the declarant's credit grade. The draw comes from the
// pack's seed, a secret of the zone's and the declaration's number, never
// from a clock, so a replay draws the same and a trader who knows the pack
// cannot foresee it. Every hit above the default lane is a reason, kept for
// officers (not told to the declarant: criteria are confidential).
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
  struct Item {
    std::string_view hs, origin;
    bool licence_listed = false;
  };
  std::vector<Item> items;
};

struct LaneChoice {
  Lane lane = Lane::kGreen;
  // "licence/24022000", "criterion/watch-wine", "random/red" ... in the
  // order found, each asking for more than the default lane; empty when the
  // default stands.
  std::vector<std::string> reasons;
};

LaneChoice choose_lane(const PolicyVersion& policy, const LaneInput& input);

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
