// ISO 6346 freight container numbers: owner code (3 letters), category
// identifier (U, J or Z), serial number (6 digits) and a check digit.
#pragma once

#include <string_view>

#include "core/status.h"

namespace zg::gate {

// The check digit ISO 6346 gives the first ten characters (which must be
// of the right form: 3 letters, U/J/Z, 6 digits); -1 when they are not.
int container_check_digit(std::string_view first_ten);

// OK for a well-formed container number whose check digit holds; otherwise
// kInvalidField with a message saying what is wrong (form, category, the
// check digit expected).
Status validate_container(std::string_view number);

}  // namespace zg::gate
