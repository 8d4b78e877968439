#include "core/country.h"

#include <array>
#include <cstddef>
#include <iterator>

namespace zg {
namespace {

// The officially assigned ISO 3166-1 alpha-2 codes, sorted, one row per first letter. The list
// has had 249 entries since 2011 (BQ, CW, SS and SX were the last added).
// clang-format off
constexpr std::string_view kCountryCodes[] = {
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ",
    "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW",
    "CX", "CY", "CZ",
    "DE", "DJ", "DK", "DM", "DO", "DZ",
    "EC", "EE", "EG", "EH", "ER", "ES", "ET",
    "FI", "FJ", "FK", "FM", "FO", "FR",
    "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT",
    "GU", "GW", "GY",
    "HK", "HM", "HN", "HR", "HT", "HU",
    "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT",
    "JE", "JM", "JO", "JP",
    "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ",
    "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY",
    "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS",
    "MT", "MU", "MV", "MW", "MX", "MY", "MZ",
    "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ",
    "OM",
    "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY",
    "QA",
    "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ",
    "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW", "TZ",
    "UA", "UG", "UM", "US", "UY", "UZ",
    "VA", "VC", "VE", "VG", "VI", "VN", "VU",
    "WF", "WS",
    "YE", "YT",
    "ZA", "ZM", "ZW",
};
// clang-format on
inline constexpr size_t kCountryCount = 249;
static_assert(std::size(kCountryCodes) == kCountryCount);

constexpr size_t kLetterCount = 26;
constexpr size_t kTwoLetterCodeCount = kLetterCount * kLetterCount;

constexpr bool is_upper_letter(char c) {
  return c >= 'A' && c <= 'Z';
}

// The index of a two-letter upper-case code in a 26 x 26 table.
constexpr size_t code_index(char first, char second) {
  return static_cast<size_t>(first - 'A') * kLetterCount + static_cast<size_t>(second - 'A');
}

// One flag per possible two-letter code, so that a look-up is two compares and a load.
constexpr std::array<bool, kTwoLetterCodeCount> kIsAssigned = [] {
  std::array<bool, kTwoLetterCodeCount> table{};
  for (std::string_view code : kCountryCodes) table[code_index(code[0], code[1])] = true;
  return table;
}();

constexpr bool list_well_formed() {
  for (size_t index = 0; index < std::size(kCountryCodes); ++index) {
    const std::string_view code = kCountryCodes[index];
    if (code.size() != 2 || !is_upper_letter(code[0]) || !is_upper_letter(code[1])) return false;
    if (index > 0 && !(kCountryCodes[index - 1] < code)) return false;  // Sorted, no repeats.
  }
  return true;
}
static_assert(list_well_formed());

}  // namespace

bool is_country(std::string_view alpha2) {
  if (alpha2.size() != 2) return false;
  if (!is_upper_letter(alpha2[0]) || !is_upper_letter(alpha2[1])) return false;
  return kIsAssigned[code_index(alpha2[0], alpha2[1])];
}

}  // namespace zg
