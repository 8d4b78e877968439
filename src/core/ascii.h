// Character classes of ASCII text, without the C library's locale: identifiers,
// dates and amounts are ASCII whatever the machine's locale says.
#pragma once

namespace zg {

constexpr bool is_ascii_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace zg
