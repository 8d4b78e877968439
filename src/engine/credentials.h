// Traveller credentials as the engine sees them: what a credential claims,
// and a cache of credentials already verified.
//
// The cache is not zone state: a credential verifies or not by its bytes and
// the zone's key alone, so remembering the answer changes no decision, only
// saves the Ed25519 verification (50-100 µs) on a traveller's later
// crossings. Revocation and watch lists are zone state, checked every time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/string_map.h"
#include "core/time.h"

namespace zg {

struct CredentialClaims {
  std::string zone;       // the issuing zone ("hengqin")
  std::string traveller;  // "HQT00000012"
  uint64_t seq = 0;       // the enrolment that issued it
  Date expires{1970, 1, 1};
};

// The payload a credential signs: canonical JSON of the zone, the traveller,
// categories, expiry and the issuing sequence number.
std::string credential_payload(std::string_view zone_id, std::string_view traveller,
                               const std::vector<std::string>& categories, Date expires,
                               uint64_t seq);
// Reads a payload this zone signed; false when it is not of that form.
bool read_credential_payload(std::string_view payload, CredentialClaims& claims);

class CredentialCache {
 public:
  const CredentialClaims* find(std::string_view token) const {
    const auto it = verified_.find(token);
    return it == verified_.end() ? nullptr : &it->second;
  }
  void add(std::string_view token, CredentialClaims claims) {
    // Bounded: past the limit start afresh (a cold cache costs only time).
    if (verified_.size() >= kEntriesMax) verified_.clear();
    verified_.emplace(std::string(token), std::move(claims));
  }

 private:
  static constexpr size_t kEntriesMax = 1 << 20;
  StringMap<CredentialClaims> verified_;
};

}  // namespace zg
