// Lowercase hexadecimal, the one spelling Zonegate writes and reads for keys,
// hashes, signatures and ids (upper case is refused: every value has one
// spelling, so a hash cannot be written two ways).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace zg {

std::string hex_encode(const unsigned char* data, size_t size);
// The value of one lowercase hex digit, or -1.
int hex_digit_value(char c);
// Exactly 2 * size lowercase hex digits into `out`; false (and `out`
// unspecified) otherwise.
bool hex_decode(std::string_view hex, unsigned char* out, size_t size);

}  // namespace zg
