#include "core/identifiers.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "core/ascii.h"
#include "core/time.h"

namespace zg {
namespace {

// Messages quote the text only when it is at most this long and printable ASCII, so that an
// error never carries control bytes, broken UTF-8 or a megabyte of garbage back to the caller.
constexpr size_t kShownLengthMax = 40;

// GB 32100-2015.
constexpr size_t kUsccLength = 18;
constexpr size_t kUsccDivisionBegin = 2;  // 0-based: characters 3 to 8.
constexpr size_t kUsccDivisionEnd = 8;
constexpr int kUsccModulus = 31;
constexpr std::string_view kUsccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static_assert(kUsccAlphabet.size() == kUsccModulus);
constexpr std::array<int, kUsccLength - 1> kUsccWeights = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                                           29, 25, 13, 8,  24, 10, 30, 28};

constexpr bool uscc_weights_are_powers_of_3() {
  int power = 1;
  for (int weight : kUsccWeights) {
    if (weight != power) return false;
    power = power * 3 % kUsccModulus;
  }
  return true;
}
static_assert(uscc_weights_are_powers_of_3());

// A character's value in the USCC alphabet (its index there), or kNotInAlphabet.
constexpr int8_t kNotInAlphabet = -1;
constexpr std::array<int8_t, 256> kUsccValues = [] {
  std::array<int8_t, 256> values{};
  values.fill(kNotInAlphabet);
  for (size_t value = 0; value < kUsccAlphabet.size(); ++value) {
    values[static_cast<unsigned char>(kUsccAlphabet[value])] = static_cast<int8_t>(value);
  }
  return values;
}();

// GB 11643-1999.
constexpr size_t kResidentIdLength = 18;
constexpr size_t kResidentIdLegacyLength = 15;  // First-generation cards, replaced by 2013.
constexpr int kResidentIdModulus = 11;
constexpr std::array<int, kResidentIdLength - 1> kResidentIdWeights = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                                                       3, 7, 9,  10, 5, 8, 4, 2};
constexpr std::string_view kResidentIdCheckCharacters = "10X98765432";  // Indexed by sum % 11.
static_assert(kResidentIdCheckCharacters.size() == kResidentIdModulus);
constexpr size_t kBirthDateBegin = 6;  // 0-based: characters 7 to 14, YYYYMMDD.
constexpr size_t kBirthDateLength = 8;
constexpr int kBirthYearMin = 1900;
constexpr int kBirthYearMax = 2100;

constexpr bool resident_id_weights_are_powers_of_2() {
  // ISO 7064 MOD 11-2: the weight of character i (0-based) is 2^(17 - i) mod 11.
  int power = 2;  // 2^1, the weight of character 17 (index 16).
  for (size_t index = kResidentIdWeights.size(); index-- > 0;) {
    if (kResidentIdWeights[index] != power) return false;
    power = power * 2 % kResidentIdModulus;
  }
  return true;
}
static_assert(resident_id_weights_are_powers_of_2());

// HS nomenclature: chapters 01 to 97, chapter 77 reserved for future use;
// chapters 98 and 99 are left to national use (special provisions), so a
// national tariff may hold them and the tariff lookup decides.
constexpr int kHsChapterMin = 1;
constexpr int kHsChapterMax = 99;
constexpr int kHsChapterReserved = 77;

bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
// Printable ASCII other than the space: safe to quote in a message.
bool is_shown(char c) {
  return c > ' ' && c < 0x7f;
}
char to_upper(char c) {
  return static_cast<char>(c - 'a' + 'A');
}
int digit_value(char c) {
  return c - '0';
}
int uscc_value(char c) {
  return kUsccValues[static_cast<unsigned char>(c)];
}

// The number written by a run of digits (checked by the caller), e.g. "1949" -> 1949.
int parse_digits(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + digit_value(c);
  return value;
}

// 1-based position of text[index] as people count it: in characters (UTF-8 code points), not
// bytes, so that "character 5" points where an editor's cursor would.
std::string position_of(std::string_view text, size_t index) {
  size_t position = 1;
  for (size_t byte = 0; byte < index; ++byte) {
    if ((static_cast<unsigned char>(text[byte]) & 0xC0) != 0x80) ++position;
  }
  return std::to_string(position);
}

// "1 digit", "7 digits".
std::string count_of(size_t count, std::string_view noun) {
  std::string out = std::to_string(count) + " " + std::string(noun);
  if (count != 1) out += 's';
  return out;
}

// How a character reads in a message: 'A', a space, a control character or a non-ASCII one.
std::string describe(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (is_shown(c)) return std::string{'\'', c, '\''};
  if (c == ' ') return "a space";
  if (byte >= 0x80) return "a non-ASCII character";
  constexpr std::string_view kHexDigits = "0123456789ABCDEF";
  return std::string("control character 0x") + kHexDigits[static_cast<size_t>(byte >> 4)] +
         kHexDigits[static_cast<size_t>(byte & 0xF)];
}

// "USCC 914404000MA4W2X016": the noun, followed by the text when it is fit to show.
std::string subject(std::string_view noun, std::string_view text) {
  std::string out(noun);
  if (text.empty() || text.size() > kShownLengthMax) return out;
  for (char c : text) {
    if (!is_shown(c)) return out;
  }
  out += ' ';
  out += text;
  return out;
}

Status invalid_uscc(std::string message) {
  return Status(ErrorCode::kInvalidUscc, "", std::move(message));
}

Status invalid_field(std::string message) {
  return Status(ErrorCode::kInvalidField, "", std::move(message));
}

// The check character for a USCC's first 17 characters, all in the alphabet.
char uscc_check_character(std::string_view text) {
  int sum = 0;
  for (size_t index = 0; index < kUsccWeights.size(); ++index) {
    sum += uscc_value(text[index]) * kUsccWeights[index];
  }
  const int check = (kUsccModulus - sum % kUsccModulus) % kUsccModulus;  // 31 becomes 0.
  return kUsccAlphabet[static_cast<size_t>(check)];
}

// Why text[index] cannot be in a USCC, in the terms most likely to help.
std::string uscc_character_message(std::string_view text, size_t index) {
  const char c = text[index];
  const std::string head =
      subject("USCC", text) + ": character " + position_of(text, index) + " is " + describe(c);
  if (is_lower(c) && uscc_value(to_upper(c)) != kNotInAlphabet) {
    return head + "; letters must be upper case";
  }
  if (is_upper(c) || is_lower(c)) return head + ", a letter USCCs never use (no I, O, S, V or Z)";
  return head + "; a USCC has only digits and upper-case letters";
}

// The check character for a resident ID's first 17 characters, all digits.
char resident_id_check_character(std::string_view text) {
  int sum = 0;
  for (size_t index = 0; index < kResidentIdWeights.size(); ++index) {
    sum += digit_value(text[index]) * kResidentIdWeights[index];
  }
  return kResidentIdCheckCharacters[static_cast<size_t>(sum % kResidentIdModulus)];
}

// Checks the birth date YYYYMMDD (eight digits) of a resident ID.
Status check_birth_date(std::string_view date) {
  const int year = parse_digits(date.substr(0, 4));
  const int month = parse_digits(date.substr(4, 2));
  const int day = parse_digits(date.substr(6, 2));
  if (year < kBirthYearMin || year > kBirthYearMax) {
    return invalid_field("resident ID: birth year " + std::string(date.substr(0, 4)) +
                         " (characters 7-10) is outside 1900 to 2100");
  }
  if (month < 1 || month > 12) {
    return invalid_field("resident ID: birth month " + std::string(date.substr(4, 2)) +
                         " (characters 11-12) is not a month (01 to 12)");
  }
  const int days = days_in_month(year, month);
  if (day >= 1 && day <= days) return Status::ok();
  const std::string head =
      "resident ID: birth date " + std::string(date) + " (characters 7-14) is not a real date: ";
  if (day == 0) return invalid_field(head + "there is no day 00");
  return invalid_field(head + std::string(month_name(month)) + " " +
                       std::string(date.substr(0, 4)) + " has " + std::to_string(days) + " days");
}

// An HS code or prefix: digits, a length `length_ok` accepts, a real chapter.
Status validate_hs_digits(std::string_view text, std::string_view noun, bool (*length_ok)(size_t),
                          std::string_view lengths) {
  if (text.empty()) {
    return invalid_field(std::string(noun) + " is empty; expected " + std::string(lengths) +
                         " digits");
  }
  for (size_t index = 0; index < text.size(); ++index) {
    if (!is_ascii_digit(text[index])) {
      return invalid_field(subject(noun, text) + ": character " + position_of(text, index) +
                           " is " + describe(text[index]) + ", expected a digit");
    }
  }
  if (!length_ok(text.size())) {
    return invalid_field(subject(noun, text) + " has " + count_of(text.size(), "digit") +
                         ", expected " + std::string(lengths));
  }
  const int chapter = parse_digits(text.substr(0, 2));
  if (chapter == kHsChapterReserved) {
    return invalid_field(subject(noun, text) + ": chapter 77 is reserved and holds no goods");
  }
  if (chapter < kHsChapterMin || chapter > kHsChapterMax) {
    return invalid_field(subject(noun, text) + ": chapter " + std::string(text.substr(0, 2)) +
                         " is not an HS chapter (01 to 99)");
  }
  return Status::ok();
}

bool is_hs_code_length(size_t length) {
  return length == 6 || length == 8 || length == 10;
}
bool is_hs_prefix_length(size_t length) {
  return length % 2 == 0 && length >= 2 && length <= 10;
}

}  // namespace

Status validate_uscc(std::string_view text) {
  if (text.empty()) return invalid_uscc("USCC is empty; expected 18 characters");
  for (size_t index = 0; index < text.size(); ++index) {
    if (uscc_value(text[index]) == kNotInAlphabet) {
      return invalid_uscc(uscc_character_message(text, index));
    }
  }
  // Every character is now in the alphabet, so ASCII: bytes and characters agree from here on.
  if (text.size() != kUsccLength) {
    return invalid_uscc(subject("USCC", text) + " has " + count_of(text.size(), "character") +
                        ", expected 18");
  }
  for (size_t index = kUsccDivisionBegin; index < kUsccDivisionEnd; ++index) {
    if (!is_ascii_digit(text[index])) {
      return invalid_uscc(subject("USCC", text) + ": character " + std::to_string(index + 1) +
                          " is " + describe(text[index]) +
                          ", but characters 3-8 (the administrative division) are digits");
    }
  }
  const char expected = uscc_check_character(text);
  if (text.back() != expected) {
    return invalid_uscc(subject("USCC", text) + ": check character is " + text.back() +
                        ", expected " + expected);
  }
  return Status::ok();
}

Status validate_resident_id(std::string_view text) {
  // The number itself is personal data: messages quote only the part at fault.
  if (text.empty()) return invalid_field("resident ID is empty; expected 18 characters");
  for (size_t index = 0; index < text.size(); ++index) {
    const char c = text[index];
    if (!is_ascii_digit(c) && c != 'X' && c != 'x') {
      return invalid_field("resident ID: character " + position_of(text, index) + " is " +
                           describe(c) + "; expected a digit (or X as the check character)");
    }
  }
  // Every character is now ASCII: bytes and characters agree from here on.
  if (text.size() != kResidentIdLength) {
    std::string message = "resident ID has " + count_of(text.size(), "character") + ", expected 18";
    if (text.size() == kResidentIdLegacyLength) {
      message += " (15-digit numbers of first-generation cards are no longer valid)";
    }
    return invalid_field(std::move(message));
  }
  for (size_t index = 0; index + 1 < kResidentIdLength; ++index) {
    if (!is_ascii_digit(text[index])) {
      return invalid_field("resident ID: character " + std::to_string(index + 1) + " is " +
                           describe(text[index]) +
                           "; only the check character (character 18) may be X");
    }
  }
  if (text[0] < '1' || text[0] > '8') {
    return invalid_field("resident ID: first digit is " + std::string(1, text[0]) +
                         ", expected 1 to 8 (the province)");
  }
  Status date = check_birth_date(text.substr(kBirthDateBegin, kBirthDateLength));
  if (!date.is_ok()) return date;
  const char expected = resident_id_check_character(text);
  if (text.back() == 'x' && expected == 'X') {
    return invalid_field("resident ID: check character is x; write it as upper-case X");
  }
  if (text.back() != expected) {
    return invalid_field("resident ID: check character is " + std::string(1, text.back()) +
                         ", expected " + expected);
  }
  return Status::ok();
}

Status validate_hs_code(std::string_view text) {
  return validate_hs_digits(text, "HS code", is_hs_code_length, "6, 8 or 10");
}

Status validate_hs_prefix(std::string_view text) {
  return validate_hs_digits(text, "HS prefix", is_hs_prefix_length, "2, 4, 6, 8 or 10");
}

}  // namespace zg
