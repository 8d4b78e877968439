// Gate decisions: whether a channel opens for a truck, a Macao single-plate
// car or a traveller. Pure functions of what the gate presents and what the
// zone knows, so each rule is a row in a table test (decisions_test.cc).
//
// Every check runs and every failing one is a reason: an officer sees the
// whole story at once. A decision is `open` only when the reasons are empty;
// no error path can produce it (a missing fact is itself a reason).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.h"
#include "core/time.h"
#include "policy/policy.h"

namespace zg::gate {

// "in": into the zone; "out": leaving it.
enum class Direction : uint8_t { kIn, kOut };
std::string_view direction_name(Direction direction);
bool parse_direction(std::string_view text, Direction& direction);

struct Reason {
  std::string_view code;    // stable snake_case, from the contract
  std::string declaration;  // cargo gates: the declaration it is about, else ""
  std::string message;      // a sentence for the officer
};

struct Decision {
  std::vector<Reason> reasons;
  bool open() const { return reasons.empty(); }
};

// --- Cargo ------------------------------------------------------------------

// What the zone knows of one declaration a truck presents.
struct PresentedDeclaration {
  std::string number;
  bool known = false;  // false: no such declaration
  int line = 0;        // the line its movement crosses; 0: none
  Direction direction = Direction::kIn;
  std::string_view movement;  // its movement's name
  bool released = false;
  int64_t released_at = 0;  // unix seconds; a truck dated before it finds the goods held
  bool crossed = false;
  std::string_view declared_channel;  // "" when the declaration named none
  int64_t gross_e4 = -1;              // declared gross weight (kg × 10^4); -1: none
};

struct CargoArrival {
  const Channel* channel = nullptr;
  Direction direction = Direction::kIn;
  int64_t at = 0;                // when the truck arrived (unix seconds)
  int64_t weighed_gross_e4 = 0;  // the weighbridge's reading (kg × 10^4)
  std::vector<PresentedDeclaration> declarations;
};

// Open only when the channel serves cargo in this direction and every
// declaration is known, released, of this line, direction and (where the
// channel or the declaration names them) movement and channel, has not
// crossed, and the weighed gross weight is within the tolerance of the
// declared gross weights' sum. Container numbers are checked by the caller
// (they are the command's form, not the zone's state).
Decision decide_cargo(const CargoArrival& arrival, const GateSettings& settings);

// --- Macao single-plate vehicles ---------------------------------------------

struct VehiclePermit {
  std::string number;  // "HQV00000012"
  std::string plate;
  std::string owner;
  std::vector<std::string> drivers;
  Date valid_from{1970, 1, 1};
  Date valid_until{1970, 1, 1};
  Date insurance_until{1970, 1, 1};
  uint64_t seq = 0;  // the command that issued it
};

// `permit` is the plate's permit or nullptr; `date` the crossing's local date.
// At the first line the car needs a permit in force on `date`, insured, with
// the driver on it; at the second line a single-plate car is refused (it may
// circulate only inside the zone), and any other car is none of our concern.
Decision decide_vehicle(const Channel& channel, const VehiclePermit* permit,
                        std::string_view driver, Date date);

// --- Travellers ---------------------------------------------------------------

// A traveller's standing, as the zone knows it at the moment of crossing.
struct TravellerStanding {
  bool known = false;             // the credential's subject is enrolled here
  bool signature_ok = false;      // the credential verified against the zone's key
  std::string signature_problem;  // why not, when it did not
  Date expires{1970, 1, 1};       // the credential's expiry (inclusive)
  bool revoked = false;           // revoked after the credential was issued
  bool watch_listed = false;
  bool inside = false;  // last crossed in (and not out since)
};

struct TravellerPresentation {
  const Channel* channel = nullptr;
  Direction direction = Direction::kIn;
  Rate biometric_score;  // 0..1
  bool liveness = false;
  bool goods_to_declare = false;
  Date date{1970, 1, 1};  // the crossing's local date
};

// `open` or, with reasons, `refer` to an officer. A credential whose
// signature fails stops there: nothing it claims can be trusted.
Decision decide_traveller(const TravellerPresentation& presented, const TravellerStanding& standing,
                          const GateSettings& settings);

}  // namespace zg::gate
