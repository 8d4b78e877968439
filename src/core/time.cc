#include "core/time.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

#include "core/ascii.h"

namespace zg {

bool is_leap_year(int year) {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

int days_in_month(int year, int month) {
  constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : kDays[static_cast<size_t>(month - 1)];
}

std::string_view month_name(int month) {
  constexpr std::array<std::string_view, 12> kNames = {
      "January", "February", "March",     "April",   "May",      "June",
      "July",    "August",   "September", "October", "November", "December"};
  return kNames[static_cast<size_t>(month - 1)];
}

namespace {

constexpr int64_t kSecondsPerDay = 86'400;
constexpr int kPartMonthDaysMax = 15;  // A part month of more days counts as a whole one.
constexpr size_t kEchoBytesMax = 64;   // How much of a bad text an error message quotes.

// The civil-date arithmetic counts in 400-year eras, which repeat exactly, with years
// starting on March 1 so that a leap day is the last day of its year.
constexpr int64_t kDaysPerEra = 146'097;                // 400 * 365 + 97 leap days
constexpr int64_t kDaysFromEpochYear0March1 = 719'468;  // 0000-03-01 to 1970-01-01

bool is_valid_date(int year, int month, int day) {
  return month >= 1 && month <= 12 && day >= 1 && day <= days_in_month(year, month);
}

// Why year-month-day is not a date; only called when !is_valid_date().
std::string date_problem(int year, int month, int day) {
  if (month < 1 || month > 12) return "month " + std::to_string(month) + " is not 1 to 12";
  if (day < 1) return "there is no day 0";
  return std::string(month_name(month)) + " " + std::to_string(year) + " has " +
         std::to_string(days_in_month(year, month)) + " days";
}

// Why hour:minute:second is not a time of day (second 60 is a leap second); only called
// when one is out of range.
std::string time_problem(int hour, int minute, int second) {
  if (hour > 23) return "hour " + std::to_string(hour) + " is not 0 to 23";
  if (minute > 59) return "minute " + std::to_string(minute) + " is not 0 to 59";
  return "second " + std::to_string(second) + " is not 0 to 60";
}

// Rounds towards negative infinity, unlike '/'. divisor > 0.
int64_t floor_div(int64_t dividend, int64_t divisor) {
  return dividend / divisor - (dividend % divisor < 0 ? 1 : 0);
}

// Whether `have` fits pattern character `want`: 'd' is any digit, 'T' is 'T' or 't', and
// other pattern characters stand for themselves.
bool fits(char have, char want) {
  if (want == 'd') return is_ascii_digit(have);
  if (want == 'T') return have == 'T' || have == 't';
  return have == want;
}

bool starts_with_pattern(std::string_view text, std::string_view pattern) {
  if (text.size() < pattern.size()) return false;
  for (size_t index = 0; index < pattern.size(); ++index) {
    if (!fits(text[index], pattern[index])) return false;
  }
  return true;
}

// The number written by `count` digits at text[pos]; starts_with_pattern checked them.
int number_at(std::string_view text, size_t pos, size_t count) {
  int value = 0;
  for (size_t index = pos; index < pos + count; ++index) value = value * 10 + (text[index] - '0');
  return value;
}

// The text as an error message quotes it: at most kEchoBytesMax bytes, unprintable bytes
// as '?', so the message is printable ASCII whatever came in.
std::string echo(std::string_view text) {
  if (text.empty()) return "\"\"";
  std::string out;
  for (const char c : text.substr(0, kEchoBytesMax)) out.push_back(c >= ' ' && c <= '~' ? c : '?');
  if (text.size() > kEchoBytesMax) out += "...";
  return out;
}

Status time_error(std::string_view text, std::string_view what) {
  return Status(ErrorCode::kInvalidField, "", echo(text) + " " + std::string(what));
}

// Appends value with at least `width` digits, zero padded.
void append_padded(std::string* out, int64_t value, int width) {
  if (value < 0) out->push_back('-');
  uint64_t magnitude = value < 0 ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  std::array<char, 20> digits{};
  int digit_count = 0;
  do {
    digits[static_cast<size_t>(digit_count++)] = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);
  for (int pad = digit_count; pad < width; ++pad) out->push_back('0');
  while (digit_count > 0) out->push_back(digits[static_cast<size_t>(--digit_count)]);
}

void append_date(std::string* out, Date date) {
  append_padded(out, date.year, 4);
  out->push_back('-');
  append_padded(out, date.month, 2);
  out->push_back('-');
  append_padded(out, date.day, 2);
}

// The date `months` calendar months after `from`, on that month's last day when from.day
// does not exist in it. months >= 0.
Date add_months_clamped(Date from, int months) {
  const int month_index = from.month - 1 + months;
  const int year = from.year + month_index / 12;
  const int month = month_index % 12 + 1;
  return Date{year, month, std::min(from.day, days_in_month(year, month))};
}

}  // namespace

Result<Timestamp> parse_rfc3339(std::string_view text) {
  if (!starts_with_pattern(text, "dddd-dd-ddTdd:dd:dd")) {
    return time_error(text, "is not an RFC 3339 date-time like 2024-03-05T10:00:00+08:00");
  }
  const int year = number_at(text, 0, 4);
  const int month = number_at(text, 5, 2);
  const int day = number_at(text, 8, 2);
  if (!is_valid_date(year, month, day)) {
    return time_error(text, "is not a date: " + date_problem(year, month, day));
  }
  const int hour = number_at(text, 11, 2);
  const int minute = number_at(text, 14, 2);
  const int second = number_at(text, 17, 2);
  if (hour > 23 || minute > 59 || second > 60) {
    return time_error(text, "is not a time: " + time_problem(hour, minute, second));
  }
  size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    const size_t fraction_start = ++pos;
    while (pos < text.size() && is_ascii_digit(text[pos])) ++pos;  // Truncated: not kept.
    if (pos == fraction_start) return time_error(text, "has a '.' with no digits after it");
  }
  if (pos == text.size()) return time_error(text, "has no UTC offset: add Z or one like +08:00");
  int offset_minutes = 0;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    pos += 1;
  } else if (text[pos] == '+' || text[pos] == '-') {
    if (!starts_with_pattern(text.substr(pos + 1), "dd:dd")) {
      return time_error(text, "has a UTC offset that is not +HH:MM or -HH:MM");
    }
    const int offset_hours = number_at(text, pos + 1, 2);
    const int offset_minutes_part = number_at(text, pos + 4, 2);
    if (offset_hours > 23 || offset_minutes_part > 59) {
      return time_error(text, "has a UTC offset beyond 23:59");
    }
    offset_minutes = (offset_hours * 60 + offset_minutes_part) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return time_error(text, "has no UTC offset: want Z, +HH:MM or -HH:MM right after the time");
  }
  if (pos != text.size()) return time_error(text, "has text after its UTC offset");
  // A leap second counts as second 59; see time.h.
  const int64_t local_seconds = days_from_civil(Date{year, month, day}) * kSecondsPerDay +
                                hour * 3600 + minute * 60 + std::min(second, 59);
  return Timestamp{local_seconds - int64_t{offset_minutes} * 60, offset_minutes};
}

Result<Date> parse_date(std::string_view text) {
  if (text.size() != 10 || !starts_with_pattern(text, "dddd-dd-dd")) {
    return time_error(text, "is not a date like 2024-03-05");
  }
  const Date date{number_at(text, 0, 4), number_at(text, 5, 2), number_at(text, 8, 2)};
  if (!is_valid_date(date.year, date.month, date.day)) {
    return time_error(text, "is not a date: " + date_problem(date.year, date.month, date.day));
  }
  return date;
}

Result<Month> parse_month(std::string_view text) {
  if (text.size() != 7 || !starts_with_pattern(text, "dddd-dd")) {
    return time_error(text, "is not a month like 2024-03");
  }
  const Month month{number_at(text, 0, 4), number_at(text, 5, 2)};
  if (month.month < 1 || month.month > 12) {
    return time_error(text,
                      "is not a month: month " + std::to_string(month.month) + " is not 1 to 12");
  }
  return month;
}

std::string format_date(Date date) {
  std::string out;
  append_date(&out, date);
  return out;
}

std::string format_month(Month month) {
  std::string out;
  append_padded(&out, month.year, 4);
  out.push_back('-');
  append_padded(&out, month.month, 2);
  return out;
}

std::string format_rfc3339(Timestamp timestamp) {
  const int64_t local_seconds = timestamp.unix_seconds + int64_t{timestamp.offset_minutes} * 60;
  const int64_t days = floor_div(local_seconds, kSecondsPerDay);
  const int64_t second_of_day = local_seconds - days * kSecondsPerDay;
  const int offset_magnitude =
      timestamp.offset_minutes < 0 ? -timestamp.offset_minutes : timestamp.offset_minutes;
  std::string out;
  out.reserve(25);
  append_date(&out, civil_from_days(days));
  out.push_back('T');
  append_padded(&out, second_of_day / 3600, 2);
  out.push_back(':');
  append_padded(&out, second_of_day / 60 % 60, 2);
  out.push_back(':');
  append_padded(&out, second_of_day % 60, 2);
  out.push_back(timestamp.offset_minutes < 0 ? '-' : '+');
  append_padded(&out, offset_magnitude / 60, 2);
  out.push_back(':');
  append_padded(&out, offset_magnitude % 60, 2);
  return out;
}

Date local_date(int64_t unix_seconds, int offset_minutes) {
  const int64_t local_seconds = unix_seconds + int64_t{offset_minutes} * 60;
  return civil_from_days(floor_div(local_seconds, kSecondsPerDay));
}

int64_t days_from_civil(Date date) {
  // Count in years that start on March 1: January and February belong to the year before.
  const int64_t year = int64_t{date.year} - (date.month <= 2 ? 1 : 0);
  const int64_t era = floor_div(year, 400);
  const int64_t year_of_era = year - era * 400;            // 0-399
  const int64_t month_from_march = (date.month + 9) % 12;  // March 0 ... February 11
  // Month lengths from March run 31 30 31 30 31 31 30 31 30 31 31 (29): (153 m + 2) / 5 is
  // the day of the year on which month m starts.
  const int64_t day_of_year = (153 * month_from_march + 2) / 5 + date.day - 1;  // 0-365
  const int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;  // 0-146096
  return era * kDaysPerEra + day_of_era - kDaysFromEpochYear0March1;
}

Date civil_from_days(int64_t days) {
  const int64_t shifted = days + kDaysFromEpochYear0March1;  // Days since 0000-03-01.
  const int64_t era = floor_div(shifted, kDaysPerEra);
  const int64_t day_of_era = shifted - era * kDaysPerEra;  // 0-146096
  // Undo the leap days: one every 4 years (1460 days without them), none every 100
  // (36524 days), one every 400 (the era's last day, 146096).
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (year_of_era * 365 + year_of_era / 4 - year_of_era / 100);
  const int64_t month_from_march = (5 * day_of_year + 2) / 153;  // Inverts (153 m + 2) / 5.
  const int64_t day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
  const int64_t month = month_from_march < 10 ? month_from_march + 3 : month_from_march - 9;
  const int64_t year = era * 400 + year_of_era + (month <= 2 ? 1 : 0);
  return Date{static_cast<int>(year), static_cast<int>(month), static_cast<int>(day)};
}

Month month_of(Date date) {
  return Month{date.year, date.month};
}

int months_elapsed_rounded(Date from, Date to) {
  if (to <= from) return 0;  // Reversed order is the caller's to reject; see time.h.
  // The last month anniversary on or before `to`: the calendar guess, or one month less.
  int months = (to.year - from.year) * 12 + (to.month - from.month);
  Date anniversary = add_months_clamped(from, months);
  if (anniversary > to) anniversary = add_months_clamped(from, --months);
  const int64_t days_left = days_from_civil(to) - days_from_civil(anniversary);
  return months + (days_left > kPartMonthDaysMax ? 1 : 0);
}

}  // namespace zg
