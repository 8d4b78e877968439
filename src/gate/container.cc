#include "gate/container.h"

#include <string>

namespace zg::gate {
namespace {

// Letters count from 10, skipping 11, 22 and 33 (multiples of 11), so that
// no letter has the value the modulus would fold onto another.
int letter_value(char c) {
  int value = 10;
  for (char letter = 'A'; letter < c; ++letter) {
    ++value;
    if (value % 11 == 0) ++value;
  }
  return value;
}

bool upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

int container_check_digit(std::string_view first_ten) {
  if (first_ten.size() != 10) return -1;
  for (int i = 0; i < 4; ++i) {
    if (!upper(first_ten[static_cast<size_t>(i)])) return -1;
  }
  for (int i = 4; i < 10; ++i) {
    if (!digit(first_ten[static_cast<size_t>(i)])) return -1;
  }
  // Each character's value weighted by 2^position, modulo 11; 10 reads as 0.
  int sum = 0;
  for (size_t i = 0; i < 10; ++i) {
    const char c = first_ten[i];
    const int value = upper(c) ? letter_value(c) : c - '0';
    sum += value << i;
  }
  return sum % 11 % 10;
}

Status validate_container(std::string_view number) {
  const std::string shown(number.substr(0, 24));
  if (number.size() != 11) {
    return Status(ErrorCode::kInvalidField, "",
                  "container number \"" + shown + "\" must be 11 characters (e.g. CSQU3054383)");
  }
  for (size_t i = 0; i < 3; ++i) {
    if (!upper(number[i])) {
      return Status(ErrorCode::kInvalidField, "",
                    "container number " + shown +
                        ": the owner code (first 3) must be capital "
                        "letters");
    }
  }
  if (number[3] != 'U' && number[3] != 'J' && number[3] != 'Z') {
    return Status(ErrorCode::kInvalidField, "",
                  "container number " + shown +
                      ": the 4th character (category) must be U (freight), J (detachable "
                      "equipment) or Z (trailer or chassis)");
  }
  for (size_t i = 4; i < 11; ++i) {
    if (!digit(number[i])) {
      return Status(ErrorCode::kInvalidField, "",
                    "container number " + shown +
                        ": the serial number and check digit (last 7) must be digits");
    }
  }
  const int expected = container_check_digit(number.substr(0, 10));
  if (number[10] - '0' != expected) {
    return Status(ErrorCode::kInvalidField, "",
                  "container number " + shown + ": the check digit is " +
                      std::string(1, number[10]) + " but ISO 6346 gives " +
                      std::to_string(expected));
  }
  return Status::ok();
}

}  // namespace zg::gate
