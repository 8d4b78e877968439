#include "core/identifiers.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace zg {
namespace {

using namespace std::string_view_literals;

// What a rejection must look like: one error, the expected code, an empty field (the caller
// fills in the path) and exactly this message.
void expect_rejected(const Status& status, ErrorCode code, std::string_view message) {
  ASSERT_FALSE(status.is_ok());
  ASSERT_EQ(status.errors().size(), 1u);
  EXPECT_EQ(status.first().code, code);
  EXPECT_EQ(status.first().field, "");
  EXPECT_EQ(status.first().message, message);
}

struct ValidCase {
  std::string_view name;
  std::string_view text;
};

struct InvalidCase {
  std::string_view name;
  std::string_view text;
  std::string_view want_message;
};

// Hand check of the check character of 914404000MA4W2X016, the contract's example enterprise.
// Values (0-9 as digits, then A=10 ... with I, O, S, V, Z skipped: M=21, W=28, X=29) times the
// weights 3^i mod 31:
//   9*1 + 1*3 + 4*9 + 4*27 + 0*19 + 4*26 + 0*16 + 0*17 + 0*20 + M 21*29 + A 10*25 + 4*13
//   + W 28*8 + 2*24 + X 29*10 + 0*30 + 1*28
//   = 9 + 3 + 36 + 108 + 0 + 104 + 0 + 0 + 0 + 609 + 250 + 52 + 224 + 48 + 290 + 0 + 28 = 1761.
// 1761 = 56*31 + 25, so check = 31 - 25 = 6: the code ends in 6, and ...X017 is rejected.
TEST(ValidateUscc, AcceptsValidCodes) {
  constexpr ValidCase kCases[] = {
      {"contract example, trade", "914404000MA4W2X016"},
      {"contract example, processing", "914404000MA4W2X029"},
      {"contract README example", "91440400MA4W2XXXX5"},
      {"check is a letter", "91110000100000000R"},
      {"individual business, letters in the organisation code", "92440400MA4W2XK1AH"},
      {"public institution", "12100000400000624D"},
      {"social organisation", "51440000MJL000000J"},
      {"authority Y (other)", "Y1440400A12345678T"},
      {"sum divisible by 31, check 0", "91310115MA1H7XN0R0"},
      {"check Y, the highest value", "91440400MA4W20027Y"},
  };
  for (const ValidCase& c : kCases) {
    SCOPED_TRACE(c.name);
    const Status status = validate_uscc(c.text);
    EXPECT_TRUE(status.is_ok()) << (status.is_ok() ? "" : status.first().message);
  }
}

TEST(ValidateUscc, RejectsWithReason) {
  constexpr InvalidCase kCases[] = {
      {"empty", "", "USCC is empty; expected 18 characters"},
      {"17 characters", "914404000MA4W2X01",
       "USCC 914404000MA4W2X01 has 17 characters, expected 18"},
      {"19 characters", "914404000MA4W2X0166",
       "USCC 914404000MA4W2X0166 has 19 characters, expected 18"},
      {"too long to quote", "1234567890123456789012345678901234567890123456789",
       "USCC has 49 characters, expected 18"},
      {"lower case", "914404000ma4w2x016",
       "USCC 914404000ma4w2x016: character 10 is 'm'; letters must be upper case"},
      {"letter O", "914404000MA4W2XO16",
       "USCC 914404000MA4W2XO16: character 16 is 'O', a letter USCCs never use (no I, O, S, V "
       "or Z)"},
      {"letter I", "91440400IMA4W2X016",
       "USCC 91440400IMA4W2X016: character 9 is 'I', a letter USCCs never use (no I, O, S, V "
       "or Z)"},
      {"lower-case excluded letter", "914404000MA4W2Xz16",
       "USCC 914404000MA4W2Xz16: character 16 is 'z', a letter USCCs never use (no I, O, S, V "
       "or Z)"},
      {"hyphen", "91440400-MA4W2X016",
       "USCC 91440400-MA4W2X016: character 9 is '-'; a USCC has only digits and upper-case "
       "letters"},
      {"space, not quoted", "914404000MA4W2X01 6",
       "USCC: character 18 is a space; a USCC has only digits and upper-case letters"},
      {"trailing newline", "914404000MA4W2X016\n",
       "USCC: character 19 is control character 0x0A; a USCC has only digits and upper-case "
       "letters"},
      {"embedded NUL", "914404000\0MA4W2X016"sv,
       "USCC: character 10 is control character 0x00; a USCC has only digits and upper-case "
       "letters"},
      {"non-ASCII counts as one character",
       "9144\xC3\xA9"
       "04000MA4W2X016",
       "USCC: character 5 is a non-ASCII character; a USCC has only digits and upper-case "
       "letters"},
      {"letter in the division", "91A40400MA4W2XXXX5",
       "USCC 91A40400MA4W2XXXX5: character 3 is 'A', but characters 3-8 (the administrative "
       "division) are digits"},
      {"letter at the end of the division", "914404A00MA4W2X016",
       "USCC 914404A00MA4W2X016: character 7 is 'A', but characters 3-8 (the administrative "
       "division) are digits"},
      {"wrong check digit", "914404000MA4W2X017",
       "USCC 914404000MA4W2X017: check character is 7, expected 6"},
      {"check digit where a letter is due", "91110000100000000A",
       "USCC 91110000100000000A: check character is A, expected R"},
      {"last two characters swapped", "914404000MA4W2X061",
       "USCC 914404000MA4W2X061: check character is 1, expected M"},
      {"characters 16 and 17 swapped", "914404000MA4W2X106",
       "USCC 914404000MA4W2X106: check character is 6, expected 4"},
      {"letter O typed for the check 0", "91310115MA1H7XN0RO",
       "USCC 91310115MA1H7XN0RO: character 18 is 'O', a letter USCCs never use (no I, O, S, V "
       "or Z)"},
  };
  for (const InvalidCase& c : kCases) {
    SCOPED_TRACE(c.name);
    expect_rejected(validate_uscc(c.text), ErrorCode::kInvalidUscc, c.want_message);
  }
}

// 11010519491231002X: the weighted sum 1*7 + 1*9 + 0*10 + 1*5 + 0*8 + 5*4 + 1*2 + 9*1 + 4*6
// + 9*3 + 1*7 + 2*9 + 3*10 + 1*5 + 0*8 + 0*4 + 2*2 = 167 = 15*11 + 2, and "10X98765432"[2] = X.
TEST(ValidateResidentId, AcceptsValidNumbers) {
  constexpr ValidCase kCases[] = {
      {"well-known example, check X", "11010519491231002X"},
      {"check 1", "440402198001011231"},
      {"2000 is a leap year; first digit 8", "820000200002290013"},
      {"2024-02-29", "350203202402291003"},
      {"earliest year, 1900-01-01", "440402190001010013"},
      {"latest year, 2100-12-31", "440402210012310041"},
      {"April 30", "110105194904300016"},
  };
  for (const ValidCase& c : kCases) {
    SCOPED_TRACE(c.name);
    const Status status = validate_resident_id(c.text);
    EXPECT_TRUE(status.is_ok()) << (status.is_ok() ? "" : status.first().message);
  }
}

TEST(ValidateResidentId, RejectsWithReason) {
  constexpr InvalidCase kCases[] = {
      {"empty", "", "resident ID is empty; expected 18 characters"},
      {"17 characters", "11010519491231002", "resident ID has 17 characters, expected 18"},
      {"19 characters", "11010519491231002X1", "resident ID has 19 characters, expected 18"},
      {"first-generation 15 digits", "110105491231002",
       "resident ID has 15 characters, expected 18 (15-digit numbers of first-generation cards "
       "are no longer valid)"},
      {"letter other than X", "11010519491231002A",
       "resident ID: character 18 is 'A'; expected a digit (or X as the check character)"},
      {"space", "110105 19491231002X",
       "resident ID: character 7 is a space; expected a digit (or X as the check character)"},
      {"non-ASCII",
       "1101051949\xE5\xB9\xB4"
       "1231002X",
       "resident ID: character 11 is a non-ASCII character; expected a digit (or X as the "
       "check character)"},
      {"X before the end", "1101051949123100X2",
       "resident ID: character 17 is 'X'; only the check character (character 18) may be X"},
      {"lower-case x where X is due", "11010519491231002x",
       "resident ID: check character is x; write it as upper-case X"},
      {"lower-case x where a digit is due", "44040219800101123x",
       "resident ID: check character is x, expected 1"},
      {"first digit 0", "010105194912310018",
       "resident ID: first digit is 0, expected 1 to 8 (the province)"},
      {"first digit 9", "910105194912310010",
       "resident ID: first digit is 9, expected 1 to 8 (the province)"},
      {"February 30", "110105194902300012",
       "resident ID: birth date 19490230 (characters 7-14) is not a real date: February 1949 "
       "has 28 days"},
      {"1900 is not a leap year", "110105190002290017",
       "resident ID: birth date 19000229 (characters 7-14) is not a real date: February 1900 "
       "has 28 days"},
      {"2100 is not a leap year", "110105210002290012",
       "resident ID: birth date 21000229 (characters 7-14) is not a real date: February 2100 "
       "has 28 days"},
      {"April 31", "110105194904310011",
       "resident ID: birth date 19490431 (characters 7-14) is not a real date: April 1949 has "
       "30 days"},
      {"day 00", "110105194901000018",
       "resident ID: birth date 19490100 (characters 7-14) is not a real date: there is no day "
       "00"},
      {"month 13", "110105194913010010",
       "resident ID: birth month 13 (characters 11-12) is not a month (01 to 12)"},
      {"month 00", "110105194900010011",
       "resident ID: birth month 00 (characters 11-12) is not a month (01 to 12)"},
      {"year 1899", "110105189912310015",
       "resident ID: birth year 1899 (characters 7-10) is outside 1900 to 2100"},
      {"year 2101", "110105210101010012",
       "resident ID: birth year 2101 (characters 7-10) is outside 1900 to 2100"},
      {"wrong check digit", "110105194912310021", "resident ID: check character is 1, expected X"},
      {"digits 4 and 5 swapped", "11015019491231002X",
       "resident ID: check character is X, expected 1"},
      {"X where a digit is due", "11010519491231020X",
       "resident ID: check character is X, expected 6"},
  };
  for (const InvalidCase& c : kCases) {
    SCOPED_TRACE(c.name);
    expect_rejected(validate_resident_id(c.text), ErrorCode::kInvalidField, c.want_message);
  }
}

// The message never quotes the whole number: it is personal data.
TEST(ValidateResidentId, MessagesDoNotQuoteTheNumber) {
  constexpr std::string_view kTexts[] = {"110105194912310021", "11010519491231002x",
                                         "010105194912310018", "1101051949123100X2"};
  for (std::string_view text : kTexts) {
    SCOPED_TRACE(text);
    const Status status = validate_resident_id(text);
    ASSERT_FALSE(status.is_ok());
    EXPECT_EQ(status.first().message.find(text), std::string::npos);
  }
}

TEST(ValidateHsCode, AcceptsValidCodes) {
  constexpr ValidCase kCases[] = {
      {"6-digit subheading", "847130"},  {"8-digit tariff line", "84713000"},
      {"10-digit code", "8471300000"},   {"chapter 01", "010121"},
      {"chapter 97", "97012100"},        {"chapter 76", "76011000"},
      {"chapter 78", "78011000"},        {"contract example", "38180000"},
      {"zeros after chapter", "010000"},
  };
  for (const ValidCase& c : kCases) {
    SCOPED_TRACE(c.name);
    const Status status = validate_hs_code(c.text);
    EXPECT_TRUE(status.is_ok()) << (status.is_ok() ? "" : status.first().message);
  }
}

TEST(ValidateHsCode, RejectsWithReason) {
  constexpr InvalidCase kCases[] = {
      {"empty", "", "HS code is empty; expected 6, 8 or 10 digits"},
      {"2 digits", "84", "HS code 84 has 2 digits, expected 6, 8 or 10"},
      {"4 digits", "8471", "HS code 8471 has 4 digits, expected 6, 8 or 10"},
      {"7 digits", "8471300", "HS code 8471300 has 7 digits, expected 6, 8 or 10"},
      {"9 digits", "847130000", "HS code 847130000 has 9 digits, expected 6, 8 or 10"},
      {"12 digits", "847130000000", "HS code 847130000000 has 12 digits, expected 6, 8 or 10"},
      {"dot", "8471.30", "HS code 8471.30: character 5 is '.', expected a digit"},
      {"leading space", " 847130", "HS code: character 1 is a space, expected a digit"},
      {"letter O for zero", "84713O00", "HS code 84713O00: character 6 is 'O', expected a digit"},
      {"minus sign", "-847130", "HS code -847130: character 1 is '-', expected a digit"},
      {"full-width digit",
       "\xEF\xBC\x98"
       "471300",
       "HS code: character 1 is a non-ASCII character, expected a digit"},
      {"tab", "847130\t", "HS code: character 7 is control character 0x09, expected a digit"},
      {"chapter 77 is reserved", "77010000",
       "HS code 77010000: chapter 77 is reserved and holds no goods"},
      {"chapter 00", "0012345678",
       "HS code 0012345678: chapter 00 is not an HS chapter (01 to 99)"},
  };
  for (const InvalidCase& c : kCases) {
    SCOPED_TRACE(c.name);
    expect_rejected(validate_hs_code(c.text), ErrorCode::kInvalidField, c.want_message);
  }
}

TEST(ValidateHsPrefix, AcceptsValidPrefixes) {
  constexpr ValidCase kCases[] = {
      {"chapter", "84"},           {"heading", "8471"},         {"subheading", "847130"},
      {"tariff line", "84713000"}, {"10 digits", "8471300000"}, {"chapter 01", "01"},
      {"chapter 97", "97"},
  };
  for (const ValidCase& c : kCases) {
    SCOPED_TRACE(c.name);
    const Status status = validate_hs_prefix(c.text);
    EXPECT_TRUE(status.is_ok()) << (status.is_ok() ? "" : status.first().message);
  }
}

TEST(ValidateHsPrefix, RejectsWithReason) {
  constexpr InvalidCase kCases[] = {
      {"empty", "", "HS prefix is empty; expected 2, 4, 6, 8 or 10 digits"},
      {"1 digit", "8", "HS prefix 8 has 1 digit, expected 2, 4, 6, 8 or 10"},
      {"odd length", "847", "HS prefix 847 has 3 digits, expected 2, 4, 6, 8 or 10"},
      {"12 digits", "847130000000",
       "HS prefix 847130000000 has 12 digits, expected 2, 4, 6, 8 or 10"},
      {"letter", "8a", "HS prefix 8a: character 2 is 'a', expected a digit"},
      {"chapter 77", "77", "HS prefix 77: chapter 77 is reserved and holds no goods"},
      {"chapter 00", "00", "HS prefix 00: chapter 00 is not an HS chapter (01 to 99)"},
  };
  for (const InvalidCase& c : kCases) {
    SCOPED_TRACE(c.name);
    expect_rejected(validate_hs_prefix(c.text), ErrorCode::kInvalidField, c.want_message);
  }
}

// Every chapter from 00 to 99, as a prefix and inside a code: only 01..99 without 77 pass
// (98 and 99 are for national use).
TEST(ValidateHsPrefix, ChapterRuleOverAllChapters) {
  for (int chapter = 0; chapter <= 99; ++chapter) {
    const std::string prefix = std::string(1, static_cast<char>('0' + chapter / 10)) +
                               static_cast<char>('0' + chapter % 10);
    SCOPED_TRACE(prefix);
    const bool want_ok = chapter >= 1 && chapter != 77;
    EXPECT_EQ(validate_hs_prefix(prefix).is_ok(), want_ok);
    EXPECT_EQ(validate_hs_code(prefix + "0000").is_ok(), want_ok);
  }
}

}  // namespace
}  // namespace zg
