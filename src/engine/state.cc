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
    if (!digits) continue;
    const DeclarationRecord* record = declarations.find(seq);
    // The whole number must be the one issued (prefix, date, zero padding):
    // compared in place, since gates look up tens of declarations a truck.
    if (record != nullptr && record->prefix == &prefix && is_number_of(*record, number)) {
      return record;
    }
  }
  return nullptr;
}

bool ZoneState::is_number_of(const DeclarationRecord& record, std::string_view number) {
  // prefix (checked by the caller), yymmdd, then the sequence number padded
  // to at least five digits: declaration_number()'s form.
  const std::string_view rest = number.substr(record.prefix->size());
  const auto two = [&](size_t at, int value) {
    return rest[at] == static_cast<char>('0' + value / 10) &&
           rest[at + 1] == static_cast<char>('0' + value % 10);
  };
  if (rest.size() < 11 || !two(0, record.date.year % 100) || !two(2, record.date.month) ||
      !two(4, record.date.day)) {
    return false;
  }
  const std::string_view digits = rest.substr(6);
  // No zero padding beyond five digits: "HQ2403050000007" is not "HQ24030500007".
  return digits.size() == 5 || digits.front() != '0';
}

DeclarationRecord* DeclarationTable::add(uint64_t seq) {
  if (seq == 0 || (!records_.empty() && records_.back().seq >= seq)) return nullptr;
  DeclarationRecord& record = records_.emplace_back();  // as its initializers make it
  record.seq = seq;
  return &record;
}

DeclarationTable::const_iterator DeclarationTable::after(uint64_t seq) const {
  return std::upper_bound(begin(), end(), seq,
                          [](uint64_t s, const DeclarationRecord& r) { return s < r.seq; });
}

const DeclarationRecord* DeclarationTable::Cursor::find(uint64_t seq) {
  const const_iterator from = seq >= last_seq_ ? at_ : table_->begin();
  const size_t left = static_cast<size_t>(table_->end() - from);
  // Widen the window [from, from + bound) until its last record reaches
  // `seq`; the one found is then in its second half.
  size_t bound = 1;
  while (bound <= left && from[static_cast<std::ptrdiff_t>(bound - 1)].seq < seq) bound *= 2;
  at_ = std::lower_bound(from + static_cast<std::ptrdiff_t>(bound / 2),
                         from + static_cast<std::ptrdiff_t>(std::min(bound, left)), seq,
                         [](const DeclarationRecord& r, uint64_t s) { return r.seq < s; });
  last_seq_ = seq;
  return at_ != table_->end() && at_->seq == seq && seq != 0 ? &*at_ : nullptr;
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
