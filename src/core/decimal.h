// Exact fixed-point numbers: money, quantities and rates as integers of a
// fixed scale. Never a double. Decimal text is parsed at the edge, exactly,
// and every limit is checked there, so arithmetic inside cannot overflow.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace zg {

using int128 = __int128;

// Scales, as the contract fixes them: amounts carry at most 2 decimals,
// quantities at most 4, rates at most 6.
inline constexpr int kMoneyScale = 2;
inline constexpr int kQuantityScale = 4;
inline constexpr int kRateScale = 6;

inline constexpr int64_t kFenPerYuan = 100;
inline constexpr int64_t kQuantityUnit = 10'000;   // 1.0000
inline constexpr int64_t kPpmPerUnit = 1'000'000;  // rate 1.000000

// Limits, checked where text becomes a number.
inline constexpr int64_t kAmountMinorMax = 100'000'000'000'000;   // 10^14 minor units
inline constexpr int64_t kQuantityE4Max = 1'000'000'000'000'000;  // 10^11 units
inline constexpr int64_t kRatePpmMax = 1'000'000'000'000;         // 10^6 per unit

// Money in CNY fen (the contract: "All money in results is CNY").
struct Money {
  int64_t fen = 0;
  static constexpr Money yuan(int64_t whole) { return Money{whole * kFenPerYuan}; }
  friend constexpr Money operator+(Money a, Money b) { return Money{a.fen + b.fen}; }
  friend constexpr Money operator-(Money a, Money b) { return Money{a.fen - b.fen}; }
  Money& operator+=(Money b) {
    fen += b.fen;
    return *this;
  }
  Money& operator-=(Money b) {
    fen -= b.fen;
    return *this;
  }
  friend constexpr auto operator<=>(Money, Money) = default;
};

// A quantity in 1/10000 of its unit (the unit travels beside it).
struct Quantity {
  int64_t e4 = 0;
  friend constexpr Quantity operator+(Quantity a, Quantity b) { return Quantity{a.e4 + b.e4}; }
  friend constexpr Quantity operator-(Quantity a, Quantity b) { return Quantity{a.e4 - b.e4}; }
  Quantity& operator+=(Quantity b) {
    e4 += b.e4;
    return *this;
  }
  Quantity& operator-=(Quantity b) {
    e4 -= b.e4;
    return *this;
  }
  friend constexpr auto operator<=>(Quantity, Quantity) = default;
};

// A rate or a per-unit amount in millionths: 13 % is 130'000 ppm; an
// exchange rate of 7.1085 CNY per USD is 7'108'500; CNY 0.912 per litre is 912'000.
struct Rate {
  int64_t ppm = 0;
  friend constexpr auto operator<=>(Rate, Rate) = default;
};

// Parses a decimal string ("12000.00", "2.5", "-3") into an integer of
// 10^-scale units. The text must be what the contract calls a decimal
// string: optional '-', digits, optional '.' and digits; no exponent, no
// spaces, no '+'. More decimals than `scale` is invalid_amount; so is a
// value beyond `max_units` in magnitude. Not-a-number text is invalid_field.
Result<int64_t> parse_fixed(std::string_view text, int scale, int64_t max_units,
                            bool allow_negative);

// Prints `units` at `scale` with exactly `scale` decimals ("1234.50").
std::string format_fixed(int64_t units, int scale);
// Prints with at least `min_scale` decimals, dropping trailing zeros beyond it
// ("100" for quantity 100.0000 at min_scale 0, "0.885" for a rate).
std::string format_fixed_trimmed(int64_t units, int scale, int min_scale);
void append_fixed(std::string& out, int64_t units, int scale);

inline std::string format_money(Money m) {
  return format_fixed(m.fen, kMoneyScale);
}
inline std::string format_quantity(Quantity q) {
  return format_fixed_trimmed(q.e4, 4, 0);
}
inline std::string format_rate(Rate r) {
  return format_fixed_trimmed(r.ppm, 6, 2);
}

// num / den rounded half up (away from zero at exactly .5); den > 0, num >= 0.
// This is the one place where customs amounts are rounded (DOMAIN.md §6).
int64_t div_round_half_up(int128 num, int128 den);

// base × rate, rounded half up to the fen.
Money apply_rate(Money base, Rate rate);
// quantity × per-unit amount (CNY), rounded half up to the fen.
Money apply_per_unit(Quantity quantity, Rate amount_per_unit);
// `total` × part / whole, rounded half up to the fen; the share of a lot's
// value that goes with part of its quantity.
Money pro_rata(Money total, Quantity part, Quantity whole);

// Shares `total` out in proportion to `weights` (all >= 0, sum > 0), each
// share rounded down to the fen and the fen left over given to the largest
// remainders (earlier first on ties), so the shares always add up to total.
std::vector<Money> allocate_largest_remainder(Money total, const std::vector<int64_t>& weights);

}  // namespace zg
