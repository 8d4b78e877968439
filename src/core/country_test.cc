#include "core/country.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace zg {
namespace {

using namespace std::string_view_literals;

TEST(IsCountry, AcceptsAssignedCodes) {
  constexpr std::string_view kCodes[] = {
      "CN",
      "MO",
      "HK",
      "TW",
      "JP",
      "KR",
      "US",
      "GB",
      "DE",
      "FR",
      "PT",
      "BR",
      // First and last in the list.
      "AD",
      "ZW",
      // The last codes assigned (2010-2011).
      "BQ",
      "CW",
      "SS",
      "SX",
      // Territories with codes of their own.
      "AQ",
      "BV",
      "HM",
      "UM",
      "AX",
      "PS",
      "EH",
  };
  for (std::string_view code : kCodes) {
    SCOPED_TRACE(code);
    EXPECT_TRUE(is_country(code));
  }
}

TEST(IsCountry, RejectsWhatIsNotAnAssignedCode) {
  constexpr std::string_view kCodes[] = {
      "",
      "C",
      "CHN",
      "CN ",
      " CN",
      "cn",
      "Cn",
      "cN",
      "C1",
      "12",
      // Exceptionally reserved or transitionally reserved, not assigned.
      "UK",
      "EU",
      "UN",
      "AC",
      "IC",
      "EA",
      "AN",
      "YU",
      "CS",
      "TP",
      // User-assigned (Kosovo's XK among them) and unassigned.
      "XK",
      "XX",
      "ZZ",
      "AA",
      "QM",
      "OO",
      // Bytes that are not letters.
      "C\0"sv,
      "\xC3\x87"
      "N",
      "\x80\x80",
  };
  for (std::string_view code : kCodes) {
    SCOPED_TRACE(testing::PrintToString(std::string(code)));
    EXPECT_FALSE(is_country(code));
  }
}

// Every possible two-letter code: exactly 249 are assigned.
TEST(IsCountry, Exactly249CodesAreAssigned) {
  int assigned_count = 0;
  std::string code = "AA";
  for (char first = 'A'; first <= 'Z'; ++first) {
    for (char second = 'A'; second <= 'Z'; ++second) {
      code[0] = first;
      code[1] = second;
      if (is_country(code)) ++assigned_count;
    }
  }
  EXPECT_EQ(assigned_count, 249);
}

}  // namespace
}  // namespace zg
