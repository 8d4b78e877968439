// ISO 4217 currencies: the alphabetic code and the number of minor-unit digits.
//
// The table is compiled in, immutable and has static storage: every pointer and span handed
// out stays valid for the life of the program, and all functions are safe to call from any
// thread without locking.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace zg {

// ISO 4217 alphabetic code and its exponent (the number of digits after the decimal point in
// amounts: CNY 2, JPY 0, KWD 3).
struct Currency {
  std::string_view code;
  uint8_t minor_digits;
};

// The currency with this ISO 4217 alphabetic code (upper case, exactly three letters), or
// nullptr when the code is not on the current list. Codes the list gives no exponent (gold,
// SDR, bond-market units, XTS, XXX) are not currencies here: no amount can be written in them.
const Currency* find_currency(std::string_view code);

// The whole table, sorted by code, for listings and tests.
std::span<const Currency> all_currencies();

}  // namespace zg
