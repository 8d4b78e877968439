// What risk selection remembers between declarations (docs/risk.md): the
// lanes' inspection capacity, how often each reason hit, the unit values
// declared lately for each kind of goods, and each declarant's inspection
// findings. Part of the zone's state: rebuilt by replay, kept in snapshots,
// covered by the state hash.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/string_map.h"

namespace zg {

struct RiskState {
  // Capacity used in the red and yellow lanes (index 0 red, 1 yellow), in
  // millionths of a selection: each declaration frees the lane's capacity
  // share, each selection into the lane takes a whole one. Capped criteria
  // select only while a whole selection is free; at most the pack's
  // capacity_burst selections can be saved up (used never goes below 0).
  std::array<int64_t, 2> used_ppm{};
  // Declarations given each lane (by Lane's value).
  std::array<uint64_t, 4> lanes{};
  // How often each kind of reason hit ("criterion/watch-wine",
  // "unit-value", "licence", "random/red"), and how often a hit found its
  // lane without capacity and so did not select.
  struct Hits {
    uint64_t hits = 0, over_capacity = 0;
  };
  std::map<std::string, Hits, std::less<>> hits;
  // The unit values last declared for goods of one HS code, origin and unit
  // ("22042100 FR LTR"), in 10^-4 fen per unit: a ring of the pack's
  // unit_value.history entries, `next` the oldest once it is full.
  struct UnitValues {
    std::vector<int64_t> recent;
    uint32_t next = 0;
    void add(int64_t value, size_t capacity);
    // Keeps the newest `capacity` values, oldest first again if it shrinks
    // or grows (a pack version with another history length).
    void trim(size_t capacity);
    int64_t median() const;  // the lower median; recent must not be empty
  };
  StringMap<UnitValues> unit_values;
  // Each declarant's inspection results, by USCC.
  struct Findings {
    uint64_t inspections = 0, discrepancies = 0;
  };
  StringMap<Findings> findings;

  uint64_t discrepancies_of(std::string_view uscc) const {
    auto it = findings.find(uscc);
    return it == findings.end() ? 0 : it->second.discrepancies;
  }
  // Everything above as sorted text, for the state hash.
  std::string digest_text() const;
};

}  // namespace zg
