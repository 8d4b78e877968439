// Calendar dates, months and instants: parsing, formatting and arithmetic.
//
// The engine never reads a clock; every time it knows came in a command. These are pure
// functions on values, safe to call from any thread. Dates are proleptic Gregorian;
// text forms have four-digit years (0000-9999). Functions that take a Date expect a real
// one (month 1-12, day within the month), as parse_date and local_date make.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace zg {

struct Date {
  int year;
  int month;  // 1-12
  int day;    // 1-31
  auto operator<=>(const Date&) const = default;
};

struct Month {
  int year;
  int month;  // 1-12
  auto operator<=>(const Month&) const = default;
};

// An instant: seconds since 1970-01-01T00:00:00Z, plus the UTC offset (minutes) it was
// written with. Two Timestamps are the same instant when their unix_seconds are equal.
struct Timestamp {
  int64_t unix_seconds;
  int offset_minutes;
};

// RFC 3339 date-time with a required offset: "2024-03-05T10:00:00+08:00", "...Z".
// Fractional seconds are allowed (".123") and truncated away; 'T' or 't' separates date
// and time; 'Z' or 'z' is UTC; "-00:00" reads as offset 0.
// A leap second (second 60, accepted at any minute: the offset decides where it falls and
// no leap-second table is kept) counts as second 59 of its minute, so the instant stays in
// the calendar day and minute it was written in; unix time has no leap seconds.
// Errors: ErrorCode::kInvalidField, field "", a message quoting the text (at most 64
// bytes, unprintable bytes as '?') and saying what is wrong, e.g.
// "2024-02-30T10:00:00+08:00 is not a date: February 2024 has 29 days".
// Does not allocate unless the text is invalid.
Result<Timestamp> parse_rfc3339(std::string_view text);
Result<Date> parse_date(std::string_view text);    // "2024-03-05"
Result<Month> parse_month(std::string_view text);  // "2024-03"

// Zero padded: "2024-03-05", "2024-03". For years 0-9999, the years that parse.
std::string format_date(Date date);
std::string format_month(Month month);
// With the timestamp's own offset and no fraction; "Z" is never used: "+00:00".
std::string format_rfc3339(Timestamp timestamp);

// The local calendar date of an instant at a fixed UTC offset in minutes, e.g. +480 for
// Asia/Shanghai.
Date local_date(int64_t unix_seconds, int offset_minutes);

// Days since 1970-01-01 (proleptic Gregorian), negative before. Any year an int holds.
int64_t days_from_civil(Date date);
// The inverse of days_from_civil for dates whose year fits an int.
Date civil_from_days(int64_t days);

Month month_of(Date date);

// The Gregorian calendar's rules, for any year an int holds; `month` is 1 to 12.
bool is_leap_year(int year);
int days_in_month(int year, int month);
std::string_view month_name(int month);  // "January" for 1

// Whole months from `from` to `to`, counting a remaining part month of more than 15 days
// as a month and of 15 days or less as none (China's rule for depreciating exempt goods).
// Month arithmetic is calendar-based: the k-th month anniversary of `from` is the same
// day-of-month k months later, so 2024-03-10 to 2024-04-10 is 1 month, to 2024-04-25 is
// 1 month + 15 days = 1, to 2024-04-26 is 1 month + 16 days = 2.
// When that day does not exist in the target month, the anniversary is the month's last
// day: from 2024-01-31 the anniversaries are 02-29, 03-31, 04-30, ... Each is computed
// from `from` itself, never from the previous anniversary, so the clamp does not stick
// (03-31, not 03-29). So a month from Jan 31 ends on the last day of February rather
// than spilling into March, and a short month is never skipped.
// Precondition: to >= from; callers validate the order. A reversed pair returns 0.
int months_elapsed_rounded(Date from, Date to);

}  // namespace zg
