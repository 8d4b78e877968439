#include "core/currency.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace zg {
namespace {

using namespace std::string_view_literals;

TEST(FindCurrency, FindsCodesWithTheirExponents) {
  struct Case {
    std::string_view code;
    uint8_t want_minor_digits;
  };
  constexpr Case kCases[] = {
      // The zone's own currencies.
      {"CNY", 2},
      {"MOP", 2},
      {"HKD", 2},
      {"USD", 2},
      {"EUR", 2},
      // No minor unit.
      {"JPY", 0},
      {"KRW", 0},
      {"VND", 0},
      {"ISK", 0},
      {"CLP", 0},
      {"XAF", 0},
      {"XOF", 0},
      {"XPF", 0},
      {"UGX", 0},
      {"PYG", 0},
      // Three digits.
      {"KWD", 3},
      {"BHD", 3},
      {"OMR", 3},
      {"JOD", 3},
      {"IQD", 3},
      {"LYD", 3},
      {"TND", 3},
      // Fund codes with four digits.
      {"CLF", 4},
      {"UYW", 4},
      // Recent additions.
      {"ZWG", 2},
      {"XCG", 2},
      {"SLE", 2},
      {"VED", 2},
      {"VES", 2},
      // Ends of the table.
      {"AED", 2},
      {"ZMW", 2},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.code);
    const Currency* currency = find_currency(c.code);
    ASSERT_NE(currency, nullptr);
    EXPECT_EQ(currency->code, c.code);
    EXPECT_EQ(currency->minor_digits, c.want_minor_digits);
  }
}

TEST(FindCurrency, RejectsWhatIsNotACurrency) {
  constexpr std::string_view kCodes[] = {
      "",
      "U",
      "US",
      "USDD",
      "usd",
      "Usd",
      "uSD",
      "US1",
      "U$D",
      " USD",
      "USD ",
      "ABC",
      "AAA",
      "ZZZ",
      "CNH",
      "RMB",
      "NTD",
      "BTC",
      // Withdrawn: Croatian kuna, old leone, Zimbabwe dollar, Antillean guilder, Bulgarian lev.
      "HRK",
      "SLL",
      "ZWL",
      "ANG",
      "BGN",
      // On the list but with no minor unit: metals, SDR, bond units, testing, no currency.
      "XAU",
      "XAG",
      "XPT",
      "XPD",
      "XDR",
      "XBA",
      "XSU",
      "XUA",
      "XTS",
      "XXX",
      // Bytes that are not letters.
      "US\0"sv,
      "\xC2\xA5"
      "Y",
      "\x80\x80\x80",
  };
  for (std::string_view code : kCodes) {
    SCOPED_TRACE(testing::PrintToString(std::string(code)));
    EXPECT_EQ(find_currency(code), nullptr);
  }
}

TEST(AllCurrencies, IsTheWholeSortedList) {
  const auto currencies = all_currencies();
  EXPECT_EQ(currencies.size(), 165u);  // ISO 4217 list one less the 13 codes without exponent.
  for (size_t index = 1; index < currencies.size(); ++index) {
    EXPECT_LT(currencies[index - 1].code, currencies[index].code);
  }
  for (const Currency& currency : currencies) {
    SCOPED_TRACE(currency.code);
    EXPECT_EQ(find_currency(currency.code), &currency);
    EXPECT_LE(currency.minor_digits, 4);
  }
}

// Every possible three-letter code: exactly the listed ones are found.
TEST(FindCurrency, FindsExactlyTheListedCodes) {
  size_t found_count = 0;
  std::string code = "AAA";
  for (char first = 'A'; first <= 'Z'; ++first) {
    for (char second = 'A'; second <= 'Z'; ++second) {
      for (char third = 'A'; third <= 'Z'; ++third) {
        code[0] = first;
        code[1] = second;
        code[2] = third;
        if (find_currency(code) != nullptr) ++found_count;
      }
    }
  }
  EXPECT_EQ(found_count, all_currencies().size());
}

}  // namespace
}  // namespace zg
