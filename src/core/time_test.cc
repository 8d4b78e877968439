#include "core/time.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace zg {
namespace {

TEST(ParseRfc3339, ReadsValidText) {
  struct Case {
    std::string_view text;
    int64_t want_unix_seconds;
    int want_offset_minutes;
  };
  constexpr Case kCases[] = {
      {"2024-03-05T10:00:00+08:00", 1'709'604'000, 480},
      {"2024-03-05T02:00:00Z", 1'709'604'000, 0},
      {"2024-03-05t02:00:00z", 1'709'604'000, 0},
      {"2024-03-05T02:00:00+00:00", 1'709'604'000, 0},
      {"2024-03-05T02:00:00-00:00", 1'709'604'000, 0},
      {"2024-03-05T10:00:00.123+08:00", 1'709'604'000, 480},
      {"2024-03-05T10:00:00.999999999+08:00", 1'709'604'000, 480},
      {"2024-03-05T10:00:00.0Z", 1'709'632'800, 0},
      {"2024-03-05T10:30:00+05:30", 1'709'614'800, 330},
      {"2024-03-05T10:00:00+23:59", 1'709'546'460, 1439},
      {"2024-03-05T10:00:00-23:59", 1'709'719'140, -1439},
      {"1970-01-01T00:00:00Z", 0, 0},
      {"1969-12-31T23:59:59Z", -1, 0},
      {"1970-01-01T07:59:59+08:00", -1, 480},
      {"2024-02-29T12:00:00-05:00", 1'709'226'000, -300},
      {"2000-02-29T00:00:00Z", 951'782'400, 0},
      {"2016-12-31T23:59:60Z", 1'483'228'799, 0},         // Leap second: as :59.
      {"2017-01-01T07:59:60+08:00", 1'483'228'799, 480},  // The same one, in Shanghai.
      {"2016-12-31T23:59:60.5Z", 1'483'228'799, 0},
      {"0000-01-01T00:00:00Z", -62'167'219'200, 0},
      {"9999-12-31T23:59:59Z", 253'402'300'799, 0},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    const Result<Timestamp> timestamp = parse_rfc3339(c.text);
    ASSERT_TRUE(timestamp.is_ok()) << timestamp.status().first().message;
    EXPECT_EQ(timestamp->unix_seconds, c.want_unix_seconds);
    EXPECT_EQ(timestamp->offset_minutes, c.want_offset_minutes);
  }
}

TEST(ParseRfc3339, RejectsInvalidTextSayingWhy) {
  struct Case {
    std::string_view text;
    std::string want_message;
  };
  constexpr std::string_view kNotRfc3339 =
      " is not an RFC 3339 date-time like 2024-03-05T10:00:00+08:00";
  const std::string long_text(100, 'x');
  const std::string long_message = std::string(64, 'x') + "..." + std::string(kNotRfc3339);
  const Case kCases[] = {
      {"2024-03-05T10:00:00", "2024-03-05T10:00:00 has no UTC offset: add Z or one like +08:00"},
      {"2024-03-05T10:00:00.5",
       "2024-03-05T10:00:00.5 has no UTC offset: add Z or one like +08:00"},
      {"2024-03-05T10:00:00 +08:00",
       "2024-03-05T10:00:00 +08:00 has no UTC offset: want Z, +HH:MM or -HH:MM right after the "
       "time"},
      {"2024-03-05T10:00:00Z+08:00", "2024-03-05T10:00:00Z+08:00 has text after its UTC offset"},
      {"2024-03-05T10:00:00+08:00x", "2024-03-05T10:00:00+08:00x has text after its UTC offset"},
      {"2024-03-05T10:00:00Z ", "2024-03-05T10:00:00Z  has text after its UTC offset"},
      {"2024-03-05T10:00:00+0800",
       "2024-03-05T10:00:00+0800 has a UTC offset that is not +HH:MM or -HH:MM"},
      {"2024-03-05T10:00:00+08",
       "2024-03-05T10:00:00+08 has a UTC offset that is not +HH:MM or -HH:MM"},
      {"2024-03-05T10:00:00+8:00",
       "2024-03-05T10:00:00+8:00 has a UTC offset that is not +HH:MM or -HH:MM"},
      {"2024-03-05T10:00:00+24:00", "2024-03-05T10:00:00+24:00 has a UTC offset beyond 23:59"},
      {"2024-03-05T10:00:00-08:60", "2024-03-05T10:00:00-08:60 has a UTC offset beyond 23:59"},
      {"2024-03-05T10:00:00.+08:00",
       "2024-03-05T10:00:00.+08:00 has a '.' with no digits after it"},
      {"2024-13-05T10:00:00+08:00",
       "2024-13-05T10:00:00+08:00 is not a date: month 13 is not 1 to 12"},
      {"2024-00-05T10:00:00+08:00",
       "2024-00-05T10:00:00+08:00 is not a date: month 0 is not 1 to 12"},
      {"2024-03-00T10:00:00+08:00", "2024-03-00T10:00:00+08:00 is not a date: there is no day 0"},
      {"2024-02-30T10:00:00+08:00",
       "2024-02-30T10:00:00+08:00 is not a date: February 2024 has 29 days"},
      {"2023-02-29T10:00:00+08:00",
       "2023-02-29T10:00:00+08:00 is not a date: February 2023 has 28 days"},
      {"1900-02-29T00:00:00Z", "1900-02-29T00:00:00Z is not a date: February 1900 has 28 days"},
      {"2024-04-31T00:00:00Z", "2024-04-31T00:00:00Z is not a date: April 2024 has 30 days"},
      {"2024-12-32T00:00:00Z", "2024-12-32T00:00:00Z is not a date: December 2024 has 31 days"},
      {"2024-03-05T24:00:00Z", "2024-03-05T24:00:00Z is not a time: hour 24 is not 0 to 23"},
      {"2024-03-05T10:60:00Z", "2024-03-05T10:60:00Z is not a time: minute 60 is not 0 to 59"},
      {"2024-03-05T10:00:61Z", "2024-03-05T10:00:61Z is not a time: second 61 is not 0 to 60"},
      {"2024-03-05 10:00:00+08:00",
       std::string("2024-03-05 10:00:00+08:00") + std::string(kNotRfc3339)},
      {"2024-3-5T10:00:00+08:00",
       std::string("2024-3-5T10:00:00+08:00") + std::string(kNotRfc3339)},
      {"2024-03-05T10:00+08:00", std::string("2024-03-05T10:00+08:00") + std::string(kNotRfc3339)},
      {"2024-03-05", std::string("2024-03-05") + std::string(kNotRfc3339)},
      {"+2024-03-05T10:00:00Z", std::string("+2024-03-05T10:00:00Z") + std::string(kNotRfc3339)},
      {"", std::string("\"\"") + std::string(kNotRfc3339)},
      {"2024-03-05T10:00:00\xE2\x80\x8B+08:00",
       "2024-03-05T10:00:00???+08:00 has no UTC offset: want Z, +HH:MM or -HH:MM right after the "
       "time"},
      {long_text, long_message},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    const Result<Timestamp> timestamp = parse_rfc3339(c.text);
    ASSERT_FALSE(timestamp.is_ok());
    ASSERT_EQ(timestamp.status().errors().size(), 1u);
    EXPECT_EQ(timestamp.status().first().code, ErrorCode::kInvalidField);
    EXPECT_EQ(timestamp.status().first().field, "");
    EXPECT_EQ(timestamp.status().first().message, c.want_message);
  }
}

TEST(ParseDate, ReadsValidAndRejectsInvalid) {
  struct Case {
    std::string_view text;
    bool want_ok;
    Date want_date;
    std::string_view want_message;
  };
  constexpr Case kCases[] = {
      {"2024-03-05", true, {2024, 3, 5}, ""},
      {"2024-02-29", true, {2024, 2, 29}, ""},
      {"2000-02-29", true, {2000, 2, 29}, ""},
      {"0000-01-01", true, {0, 1, 1}, ""},
      {"9999-12-31", true, {9999, 12, 31}, ""},
      {"2023-02-29", false, {}, "2023-02-29 is not a date: February 2023 has 28 days"},
      {"1900-02-29", false, {}, "1900-02-29 is not a date: February 1900 has 28 days"},
      {"2024-13-01", false, {}, "2024-13-01 is not a date: month 13 is not 1 to 12"},
      {"2024-06-31", false, {}, "2024-06-31 is not a date: June 2024 has 30 days"},
      {"2024-01-00", false, {}, "2024-01-00 is not a date: there is no day 0"},
      {"2024-3-05", false, {}, "2024-3-05 is not a date like 2024-03-05"},
      {"2024-03-05T10:00:00Z", false, {}, "2024-03-05T10:00:00Z is not a date like 2024-03-05"},
      {"2024-03-05 ", false, {}, "2024-03-05  is not a date like 2024-03-05"},
      {"2024/03/05", false, {}, "2024/03/05 is not a date like 2024-03-05"},
      {"", false, {}, "\"\" is not a date like 2024-03-05"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    const Result<Date> date = parse_date(c.text);
    ASSERT_EQ(date.is_ok(), c.want_ok);
    if (c.want_ok) {
      EXPECT_EQ(*date, c.want_date);
    } else {
      EXPECT_EQ(date.status().first().code, ErrorCode::kInvalidField);
      EXPECT_EQ(date.status().first().field, "");
      EXPECT_EQ(date.status().first().message, c.want_message);
    }
  }
}

TEST(ParseMonth, ReadsValidAndRejectsInvalid) {
  struct Case {
    std::string_view text;
    bool want_ok;
    Month want_month;
    std::string_view want_message;
  };
  constexpr Case kCases[] = {
      {"2024-03", true, {2024, 3}, ""},
      {"2024-12", true, {2024, 12}, ""},
      {"2024-01", true, {2024, 1}, ""},
      {"2024-13", false, {}, "2024-13 is not a month: month 13 is not 1 to 12"},
      {"2024-00", false, {}, "2024-00 is not a month: month 0 is not 1 to 12"},
      {"2024-3", false, {}, "2024-3 is not a month like 2024-03"},
      {"202403", false, {}, "202403 is not a month like 2024-03"},
      {"2024-03-05", false, {}, "2024-03-05 is not a month like 2024-03"},
      {"", false, {}, "\"\" is not a month like 2024-03"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    const Result<Month> month = parse_month(c.text);
    ASSERT_EQ(month.is_ok(), c.want_ok);
    if (c.want_ok) {
      EXPECT_EQ(*month, c.want_month);
    } else {
      EXPECT_EQ(month.status().first().code, ErrorCode::kInvalidField);
      EXPECT_EQ(month.status().first().message, c.want_message);
    }
  }
}

TEST(FormatDate, ZeroPads) {
  EXPECT_EQ(format_date(Date{2024, 3, 5}), "2024-03-05");
  EXPECT_EQ(format_date(Date{2024, 12, 31}), "2024-12-31");
  EXPECT_EQ(format_date(Date{5, 1, 2}), "0005-01-02");
  EXPECT_EQ(format_month(Month{2024, 3}), "2024-03");
  EXPECT_EQ(format_month(Month{987, 11}), "0987-11");
}

TEST(FormatRfc3339, UsesItsOwnOffset) {
  struct Case {
    int64_t unix_seconds;
    int offset_minutes;
    std::string_view want_text;
  };
  constexpr Case kCases[] = {
      {1'709'604'000, 480, "2024-03-05T10:00:00+08:00"},
      {1'709'604'000, 0, "2024-03-05T02:00:00+00:00"},
      {1'709'604'000, -300, "2024-03-04T21:00:00-05:00"},
      {1'709'614'800, 330, "2024-03-05T10:30:00+05:30"},
      {1'709'546'460, 1439, "2024-03-05T10:00:00+23:59"},
      {1'709'719'140, -1439, "2024-03-05T10:00:00-23:59"},
      {0, 0, "1970-01-01T00:00:00+00:00"},
      {-1, 0, "1969-12-31T23:59:59+00:00"},
      {-1, 480, "1970-01-01T07:59:59+08:00"},
      {-62'167'219'200, 0, "0000-01-01T00:00:00+00:00"},
      {253'402'300'799, 0, "9999-12-31T23:59:59+00:00"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.want_text);
    EXPECT_EQ(format_rfc3339(Timestamp{c.unix_seconds, c.offset_minutes}), c.want_text);
    const Result<Timestamp> parsed = parse_rfc3339(c.want_text);  // And back.
    ASSERT_TRUE(parsed.is_ok());
    EXPECT_EQ(parsed->unix_seconds, c.unix_seconds);
    EXPECT_EQ(parsed->offset_minutes, c.offset_minutes);
  }
}

TEST(LocalDate, UsesTheOffset) {
  struct Case {
    std::string_view name;
    int64_t unix_seconds;
    int offset_minutes;
    Date want_date;
  };
  constexpr Case kCases[] = {
      {"Shanghai midnight", 1'709'568'000, 480, {2024, 3, 5}},  // 2024-03-04T16:00:00Z
      {"Shanghai a second before", 1'709'567'999, 480, {2024, 3, 4}},
      {"UTC same instant", 1'709'568'000, 0, {2024, 3, 4}},
      {"New York same instant", 1'709'568'000, -300, {2024, 3, 4}},
      {"New York before 1970", -14'400, -300, {1969, 12, 31}},  // 1969-12-31T15:00-05:00
      {"UTC before 1970", -1, 0, {1969, 12, 31}},
      {"Shanghai before 1970 is 1970", -1, 480, {1970, 1, 1}},
      {"far east offset", 0, 1439, {1970, 1, 1}},
      {"far west offset", 0, -1439, {1969, 12, 31}},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(local_date(c.unix_seconds, c.offset_minutes), c.want_date);
  }
}

TEST(DaysFromCivil, KnownDays) {
  struct Case {
    Date date;
    int64_t want_days;
  };
  constexpr Case kCases[] = {
      {{1970, 1, 1}, 0},         {{1969, 12, 31}, -1},        {{2000, 2, 29}, 11'016},
      {{2000, 3, 1}, 11'017},    {{2024, 3, 5}, 19'787},      {{1900, 3, 1}, -25'508},
      {{1600, 2, 29}, -135'081}, {{1582, 10, 15}, -141'427},  {{1, 1, 1}, -719'162},
      {{0, 1, 1}, -719'528},     {{9999, 12, 31}, 2'932'896},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(format_date(c.date));
    EXPECT_EQ(days_from_civil(c.date), c.want_days);
    EXPECT_EQ(civil_from_days(c.want_days), c.date);
  }
}

// Walks day by day across more than five 400-year eras, either side of 1970, checking
// that the two conversions agree and that each day follows the one before.
TEST(CivilFromDays, RoundTripsEveryDay) {
  constexpr int64_t kDaysFirst = -1'000'000;  // Year -768.
  constexpr int64_t kDaysLast = 1'000'000;    // Year 4707.
  Date previous = civil_from_days(kDaysFirst - 1);
  for (int64_t days = kDaysFirst; days <= kDaysLast; ++days) {
    const Date date = civil_from_days(days);
    ASSERT_EQ(days_from_civil(date), days) << format_date(date);
    const bool next_day_same_month =
        date.year == previous.year && date.month == previous.month && date.day == previous.day + 1;
    const bool first_of_next_month =
        date.day == 1 && date.year * 12 + date.month == previous.year * 12 + previous.month + 1;
    ASSERT_TRUE(next_day_same_month || first_of_next_month)
        << format_date(previous) << " then " << format_date(date);
    if (first_of_next_month && previous.year >= 0 && previous.year <= 9999) {
      // The day before a 1st is its month's last day, by parse_date's month lengths too.
      const Date day_after_last{previous.year, previous.month, previous.day + 1};
      ASSERT_TRUE(parse_date(format_date(previous)).is_ok()) << format_date(previous);
      ASSERT_FALSE(parse_date(format_date(day_after_last)).is_ok()) << format_date(previous);
    }
    previous = date;
  }
}

TEST(MonthOf, DropsTheDay) {
  EXPECT_EQ(month_of(Date{2024, 3, 5}), (Month{2024, 3}));
  EXPECT_EQ(month_of(Date{1999, 12, 31}), (Month{1999, 12}));
}

TEST(MonthsElapsedRounded, CountsWholeMonthsAndPartsOverFifteenDays) {
  struct Case {
    std::string_view name;
    Date from;
    Date to;
    int want_months;
  };
  constexpr Case kCases[] = {
      {"same day", {2024, 3, 10}, {2024, 3, 10}, 0},
      {"1 day", {2024, 3, 10}, {2024, 3, 11}, 0},
      {"15 days", {2024, 3, 10}, {2024, 3, 25}, 0},
      {"16 days", {2024, 3, 10}, {2024, 3, 26}, 1},
      {"a day short of a month", {2024, 3, 10}, {2024, 4, 9}, 1},
      {"1 month", {2024, 3, 10}, {2024, 4, 10}, 1},
      {"1 month 15 days", {2024, 3, 10}, {2024, 4, 25}, 1},
      {"1 month 16 days", {2024, 3, 10}, {2024, 4, 26}, 2},
      {"18 months", {2024, 3, 10}, {2025, 9, 10}, 18},
      {"18 months 15 days", {2024, 3, 10}, {2025, 9, 25}, 18},
      {"18 months 16 days", {2024, 3, 10}, {2025, 9, 26}, 19},
      {"17 months 30 days", {2024, 3, 10}, {2025, 9, 9}, 18},
      {"3 years", {2021, 3, 5}, {2024, 3, 5}, 36},
      {"across new year 15 days", {2023, 12, 20}, {2024, 1, 4}, 0},
      {"across new year 16 days", {2023, 12, 20}, {2024, 1, 5}, 1},
      {"across new year 1 month", {2023, 12, 20}, {2024, 1, 20}, 1},
      {"February 15 days", {2023, 2, 1}, {2023, 2, 16}, 0},
      {"February 16 days", {2023, 2, 1}, {2023, 2, 17}, 1},
      {"February to March is a month", {2023, 2, 28}, {2023, 3, 28}, 1},
      // From the 31st: the anniversary in a shorter month is its last day.
      {"Jan 31 to Feb 29", {2024, 1, 31}, {2024, 2, 29}, 1},
      {"Jan 31 to Feb 28 non-leap", {2023, 1, 31}, {2023, 2, 28}, 1},
      {"Jan 31 to Feb 28 leap is 28 days", {2024, 1, 31}, {2024, 2, 28}, 1},
      {"Jan 31 to Feb 15 is 15 days", {2024, 1, 31}, {2024, 2, 15}, 0},
      {"Jan 31 to Feb 16 is 16 days", {2024, 1, 31}, {2024, 2, 16}, 1},
      {"Jan 31 to Mar 15 is 1 month 15 days", {2024, 1, 31}, {2024, 3, 15}, 1},
      {"Jan 31 to Mar 16 is 1 month 16 days", {2024, 1, 31}, {2024, 3, 16}, 2},
      {"Jan 31 to Mar 30 is 1 month 30 days", {2024, 1, 31}, {2024, 3, 30}, 2},
      {"Jan 31 to Mar 31 does not stick to 29", {2024, 1, 31}, {2024, 3, 31}, 2},
      {"Jan 31 to Apr 30", {2024, 1, 31}, {2024, 4, 30}, 3},
      {"Feb 29 to Feb 28 next year", {2024, 2, 29}, {2025, 2, 28}, 12},
      {"Feb 29 to Mar 29", {2024, 2, 29}, {2024, 3, 29}, 1},
      {"reversed is none", {2024, 4, 10}, {2024, 3, 10}, 0},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(months_elapsed_rounded(c.from, c.to), c.want_months);
  }
}

}  // namespace
}  // namespace zg
