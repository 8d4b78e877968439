// What the zone keeps about its gates: Macao single-plate permits,
// enrolled travellers, and the crossing counts the figures are made of.
// Part of ZoneState, so it is rebuilt by any replay and held in snapshots.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/string_map.h"
#include "core/time.h"
#include "gate/decisions.h"

namespace zg {

struct Traveller {
  std::string id;            // "HQT00000012"
  std::string document_key;  // "TD3:CHN:E12345678", "home_return_permit:M12345678"
  Date birth_date{1970, 1, 1};
  std::vector<std::string> categories;
  std::string biometric_ref;  // the template held by the gate device
  Date valid_until{1970, 1, 1};
  uint64_t credential_seq = 0;  // the enrolment that issued the newest credential
  // Credentials issued at or before this sequence number are revoked (0: none).
  uint64_t revoked_through_seq = 0;
  bool watch_listed = false;
  std::string watch_reason;
  bool inside = false;  // last crossed in
};

// Crossings at one channel in one local hour.
struct ChannelHour {
  int64_t open = 0;
  int64_t stopped = 0;  // held (cargo) or referred (vehicles, travellers)
};

struct GateState {
  StringMap<gate::VehiclePermit> permits;        // by plate
  std::map<Month, int> permits_by_month;         // new permits, by the month of their "at"
  StringMap<Traveller> travellers;               // by traveller id
  StringMap<std::string> traveller_by_document;  // document key -> traveller id
  // Gate decisions by (channel, local hour start as unix seconds).
  std::map<std::pair<std::string, int64_t>, ChannelHour> crossings;
  // Traveller decisions, for the share cleared without referral.
  int64_t traveller_open = 0;
  int64_t traveller_referred = 0;
};

}  // namespace zg
