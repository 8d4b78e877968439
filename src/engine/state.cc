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
  return seq == UINT64_MAX ? end() : at_or_after(begin(), seq + 1);
}

DeclarationTable::const_iterator DeclarationTable::at_or_after(const_iterator from,
                                                               uint64_t seq) const {
  if (from == end() || from->seq >= seq) return from;
  const uint64_t last = records_.back().seq;
  if (last < seq) return end();
  // Now from->seq < seq <= last: the answer is after `from`, at the last
  // record or before. The next record first: a cursor walking a run of one
  // declarant's declarations finds it there, wherever the density below
  // would put it.
  if ((from + 1)->seq >= seq) return from + 1;
  // Guess the place from how densely the sequence numbers after `from`
  // are taken (exact while they are evenly spaced from there to the end),
  // then widen a window from the guess, doubling it, until it holds the
  // answer: about twice the logarithm of the guess's error in probes.
  const auto span = static_cast<uint64_t>(end() - from) - 1;  // at least 1
  // At most `span` (seq <= last); 128 bits, as the product can pass 2^64.
  // The guess decides only the search's length, never its answer, and the
  // clamp keeps it in the table whatever the arithmetic.
  const auto offset = static_cast<uint64_t>(static_cast<unsigned __int128>(seq - from->seq) * span /
                                            (last - from->seq));
  const_iterator guess = from + static_cast<std::ptrdiff_t>(std::min(offset, span));
  const_iterator lo = from;       // lo->seq < seq
  const_iterator hi = end() - 1;  // hi->seq >= seq
  if (guess->seq >= seq) {
    hi = guess;
    for (std::ptrdiff_t step = 1; step < hi - lo; step *= 2) {
      if ((hi - step)->seq < seq) {
        lo = hi - step;
        break;
      }
      hi -= step;
    }
  } else {
    lo = guess;
    for (std::ptrdiff_t step = 1; step < hi - lo; step *= 2) {
      if ((lo + step)->seq >= seq) {
        hi = lo + step;
        break;
      }
      lo += step;
    }
  }
  return std::lower_bound(lo + 1, hi, seq,
                          [](const DeclarationRecord& r, uint64_t s) { return r.seq < s; });
}

const DeclarationRecord* DeclarationTable::Cursor::find(uint64_t seq) {
  at_ = table_->at_or_after(seq >= last_seq_ ? at_ : table_->begin(), seq);
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
