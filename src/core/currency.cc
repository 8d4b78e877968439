#include "core/currency.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>

namespace zg {
namespace {

// ISO 4217 list one (current currency and funds codes), every entry that has a minor unit,
// sorted by code. Source: the list as published on 2024-06-25, then the amendments since:
// XCG (Caribbean guilder) added, ANG withdrawn after Curacao and Sint Maarten changed over in
// 2025; BGN withdrawn after Bulgaria adopted the euro on 2026-01-01. Withdrawn codes (HRK, SLL,
// ZWL, ANG, BGN ...) are absent. Fund codes with an exponent (BOV, CHE, CHW, CLF, COU, MXV, USN,
// UYI, UYW) are listed, as the standard lists them. Codes whose minor unit is "N.A." (XAU, XAG,
// XPD, XPT, XDR, XBA-XBD, XSU, XUA, XTS, XXX) are left out: no amount can be written in them.
constexpr Currency kCurrencies[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2}, {"AWG", 2},
    {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BHD", 3}, {"BIF", 0}, {"BMD", 2}, {"BND", 2},
    {"BOB", 2}, {"BOV", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2}, {"BYN", 2}, {"BZD", 2},
    {"CAD", 2}, {"CDF", 2}, {"CHE", 2}, {"CHF", 2}, {"CHW", 2}, {"CLF", 4}, {"CLP", 0}, {"CNY", 2},
    {"COP", 2}, {"COU", 2}, {"CRC", 2}, {"CUC", 2}, {"CUP", 2}, {"CVE", 2}, {"CZK", 2}, {"DJF", 0},
    {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2}, {"EUR", 2}, {"FJD", 2},
    {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2}, {"GIP", 2}, {"GMD", 2}, {"GNF", 0}, {"GTQ", 2},
    {"GYD", 2}, {"HKD", 2}, {"HNL", 2}, {"HTG", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2},
    {"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2}, {"JOD", 3}, {"JPY", 0}, {"KES", 2}, {"KGS", 2},
    {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0}, {"KWD", 3}, {"KYD", 2}, {"KZT", 2}, {"LAK", 2},
    {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3}, {"MAD", 2}, {"MDL", 2}, {"MGA", 2},
    {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2}, {"MUR", 2}, {"MVR", 2}, {"MWK", 2},
    {"MXN", 2}, {"MXV", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2}, {"NGN", 2}, {"NIO", 2}, {"NOK", 2},
    {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2}, {"PGK", 2}, {"PHP", 2}, {"PKR", 2},
    {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2}, {"RWF", 0}, {"SAR", 2},
    {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2}, {"SHP", 2}, {"SLE", 2}, {"SOS", 2},
    {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SVC", 2}, {"SYP", 2}, {"SZL", 2}, {"THB", 2}, {"TJS", 2},
    {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2}, {"TWD", 2}, {"TZS", 2}, {"UAH", 2},
    {"UGX", 0}, {"USD", 2}, {"USN", 2}, {"UYI", 0}, {"UYU", 2}, {"UYW", 4}, {"UZS", 2}, {"VED", 2},
    {"VES", 2}, {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XCD", 2}, {"XCG", 2}, {"XOF", 0},
    {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2},
};

constexpr bool sorted_and_unique() {
  for (size_t index = 1; index < std::size(kCurrencies); ++index) {
    if (!(kCurrencies[index - 1].code < kCurrencies[index].code)) return false;
  }
  return true;
}
// Why: find_currency() binary-searches the table (through kKeys, which keeps its order).
static_assert(sorted_and_unique());

constexpr bool well_formed() {
  for (const Currency& currency : kCurrencies) {
    if (currency.code.size() != 3) return false;
    for (char c : currency.code) {
      if (c < 'A' || c > 'Z') return false;
    }
    if (currency.minor_digits > 4) return false;  // CLF and UYW have 4, the most.
  }
  return true;
}
static_assert(well_formed());

// A three-character code as one integer whose order is the codes' order, so that a search
// step is one integer compare rather than a string compare.
constexpr uint32_t key_of(std::string_view code) {
  return uint32_t{static_cast<unsigned char>(code[0])} << 16 |
         uint32_t{static_cast<unsigned char>(code[1])} << 8 |
         uint32_t{static_cast<unsigned char>(code[2])};
}

constexpr std::array<uint32_t, std::size(kCurrencies)> kKeys = [] {
  std::array<uint32_t, std::size(kCurrencies)> keys{};
  for (size_t index = 0; index < keys.size(); ++index) {
    keys[index] = key_of(kCurrencies[index].code);
  }
  return keys;
}();

}  // namespace

const Currency* find_currency(std::string_view code) {
  if (code.size() != 3) return nullptr;
  const uint32_t key = key_of(code);
  const uint32_t* end = kKeys.data() + kKeys.size();
  const uint32_t* found = std::lower_bound(kKeys.data(), end, key);
  if (found == end || *found != key) return nullptr;
  return &kCurrencies[static_cast<size_t>(found - kKeys.data())];
}

std::span<const Currency> all_currencies() {
  return kCurrencies;
}

}  // namespace zg
