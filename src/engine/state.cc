#include "engine/state.h"

#include "engine/handlers.h"

namespace zg {

const DeclarationRecord* ZoneState::find_declaration(std::string_view prefix,
                                                     std::string_view number) const {
  const size_t digits_from = prefix.size() + 6;
  if (number.size() <= digits_from || number.substr(0, prefix.size()) != prefix) return nullptr;
  uint64_t seq = 0;
  for (char c : number.substr(digits_from)) {
    if (c < '0' || c > '9' || seq > UINT64_MAX / 10 - 9) return nullptr;
    seq = seq * 10 + static_cast<uint64_t>(c - '0');
  }
  if (seq >= declarations.size() || declarations[seq].seq != seq || seq == 0) return nullptr;
  const DeclarationRecord& record = declarations[seq];
  // The whole number must be the one issued (date and zero padding included).
  if (declaration_number(prefix, record.date, seq) != number) return nullptr;
  return &record;
}

}  // namespace zg
