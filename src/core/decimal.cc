#include "core/decimal.h"

#include <algorithm>
#include <charconv>

#include "core/ascii.h"

namespace zg {
namespace {

constexpr int64_t kPow10[] = {
    1,         10,         100,         1'000,         10'000,        100'000,
    1'000'000, 10'000'000, 100'000'000, 1'000'000'000, 10'000'000'000};

}  // namespace

Result<int64_t> parse_fixed(std::string_view text, int scale, int64_t max_units,
                            bool allow_negative) {
  const auto not_decimal = [&] {
    // Built by appending: GCC 12 at -O3 warns (-Wrestrict, a false
    // positive) on the equivalent chain of operator+.
    std::string message = "\"";
    message.append(text).append("\" is not a decimal string");
    return Result<int64_t>(ErrorCode::kInvalidField, "", message);
  };
  size_t pos = 0;
  bool negative = false;
  if (pos < text.size() && text[pos] == '-') {
    negative = true;
    ++pos;
  }
  const size_t int_start = pos;
  while (pos < text.size() && is_ascii_digit(text[pos])) ++pos;
  const size_t int_digits = pos - int_start;
  size_t frac_digits = 0;
  size_t frac_start = pos;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    frac_start = pos;
    while (pos < text.size() && is_ascii_digit(text[pos])) ++pos;
    frac_digits = pos - frac_start;
    if (frac_digits == 0) return not_decimal();
  }
  if (int_digits == 0 || pos != text.size()) return not_decimal();
  if (negative && !allow_negative) {
    return Result<int64_t>(ErrorCode::kInvalidAmount, "",
                           std::string(text) + " is negative; it must not be");
  }
  // The contract counts the decimals written: "12.500" is three, even though
  // the last is zero, so an integrator learns the rule rather than an exception.
  if (frac_digits > static_cast<size_t>(scale)) {
    return Result<int64_t>(ErrorCode::kInvalidAmount, "",
                           std::string(text) + " has " + std::to_string(frac_digits) +
                               " decimals; at most " + std::to_string(scale) + " are allowed");
  }
  // Skip leading zeros so that long zero-padded text still parses.
  size_t first = int_start;
  while (first + 1 < int_start + int_digits && text[first] == '0') ++first;
  const auto out_of_range = [&] {
    return Result<int64_t>(
        ErrorCode::kInvalidAmount, "",
        std::string(text) + " is out of range (at most " + format_fixed(max_units, scale) + ")");
  };
  if (int_start + int_digits - first > 18) return out_of_range();
  int64_t units = 0;
  for (size_t i = first; i < int_start + int_digits; ++i) units = units * 10 + (text[i] - '0');
  if (units > max_units / kPow10[scale]) return out_of_range();
  units *= kPow10[scale];
  int64_t frac = 0;
  for (size_t i = 0; i < frac_digits; ++i) frac = frac * 10 + (text[frac_start + i] - '0');
  frac *= kPow10[static_cast<size_t>(scale) - frac_digits];
  units += frac;
  if (units > max_units) return out_of_range();
  return negative ? -units : units;
}

void append_fixed(std::string& out, int64_t units, int scale) {
  uint64_t magnitude =
      units < 0 ? static_cast<uint64_t>(-(units + 1)) + 1 : static_cast<uint64_t>(units);
  if (units < 0) out.push_back('-');
  const uint64_t divisor = static_cast<uint64_t>(kPow10[scale]);
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, magnitude / divisor);
  out.append(buf, end);
  if (scale == 0) return;
  out.push_back('.');
  uint64_t frac = magnitude % divisor;
  char digits[12];
  for (int i = scale - 1; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  out.append(digits, static_cast<size_t>(scale));
}

std::string format_fixed(int64_t units, int scale) {
  std::string out;
  append_fixed(out, units, scale);
  return out;
}

std::string format_fixed_trimmed(int64_t units, int scale, int min_scale) {
  std::string out = format_fixed(units, scale);
  if (scale == 0) return out;
  const size_t dot = out.find('.');
  size_t keep = out.size();
  while (keep > dot + 1 + static_cast<size_t>(min_scale) && out[keep - 1] == '0') --keep;
  if (keep == dot + 1) --keep;  // no decimals left: drop the point too
  out.resize(keep);
  return out;
}

int64_t div_round_half_up(int128 num, int128 den) {
  const int128 quotient = num / den;
  const int128 remainder = num % den;
  return static_cast<int64_t>(quotient + (remainder * 2 >= den ? 1 : 0));
}

Money apply_rate(Money base, Rate rate) {
  return Money{div_round_half_up(int128{base.fen} * rate.ppm, kPpmPerUnit)};
}

Money apply_per_unit(Quantity quantity, Rate amount_per_unit) {
  // e4 × ppm is in 10^-10 yuan; a fen is 10^8 of those.
  return Money{div_round_half_up(int128{quantity.e4} * amount_per_unit.ppm, 100'000'000)};
}

Money pro_rata(Money total, Quantity part, Quantity whole) {
  if (part.e4 == whole.e4) return total;
  return Money{div_round_half_up(int128{total.fen} * part.e4, whole.e4)};
}

std::vector<Money> allocate_largest_remainder(Money total, const std::vector<int64_t>& weights) {
  int128 weight_sum = 0;
  for (int64_t w : weights) weight_sum += w;
  std::vector<Money> shares(weights.size());
  std::vector<std::pair<int128, size_t>> remainders;
  int64_t given = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const int128 exact = int128{total.fen} * weights[i];
    shares[i].fen = static_cast<int64_t>(exact / weight_sum);
    given += shares[i].fen;
    remainders.emplace_back(exact % weight_sum, i);
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t k = 0; given < total.fen && k < remainders.size(); ++k, ++given) {
    shares[remainders[k].second].fen += 1;
  }
  return shares;
}

}  // namespace zg
