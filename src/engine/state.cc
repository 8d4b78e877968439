#include "engine/state.h"

#include "engine/handlers.h"

namespace zg {

const DeclarationRecord* ZoneState::find_declaration(std::string_view number) const {
  for (const std::string& prefix : prefixes) {
    const size_t digits_from = prefix.size() + 6;
    if (number.size() <= digits_from || number.substr(0, prefix.size()) != prefix) continue;
    uint64_t seq = 0;
    bool digits = true;
    for (char c : number.substr(digits_from)) {
      if (c < '0' || c > '9' || seq > UINT64_MAX / 10 - 9) {
        digits = false;
        break;
      }
      seq = seq * 10 + static_cast<uint64_t>(c - '0');
    }
    if (!digits || seq == 0 || seq >= declarations.size()) continue;
    const DeclarationRecord& record = declarations[seq];
    // The whole number must be the one issued (prefix, date, zero padding).
    if (record.seq == seq && number_of(record) == number) return &record;
  }
  return nullptr;
}

std::string ZoneState::number_of(const DeclarationRecord& record) {
  return declaration_number(*record.prefix, record.date, record.seq);
}

std::string_view lane_name(Lane lane) {
  switch (lane) {
    case Lane::kGreen: return "green";
    case Lane::kYellow: return "yellow";
    case Lane::kRed: return "red";
    case Lane::kBlue: return "blue";
  }
  return "green";
}

bool parse_lane(std::string_view text, Lane& lane) {
  for (Lane candidate : {Lane::kGreen, Lane::kYellow, Lane::kRed, Lane::kBlue}) {
    if (text == lane_name(candidate)) {
      lane = candidate;
      return true;
    }
  }
  return false;
}

}  // namespace zg
