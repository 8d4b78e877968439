// Checks of the identifiers a declaration carries: enterprise credit codes, resident identity
// numbers and HS codes.
//
// Each function is pure and thread-safe, and allocates nothing when the text is valid. A
// non-OK Status carries exactly one error, with an empty field: the caller knows where the
// text came from and places the error with Status::under(). Messages quote USCCs and HS codes
// (short, printable ones only) but never a whole resident identity number, which is personal.
// Nothing is trimmed or upper-cased: the text must already be in its one canonical form.
#pragma once

#include <string_view>

#include "core/status.h"

namespace zg {

// China's Unified Social Credit Code (统一社会信用代码), GB 32100-2015: 18 characters from
// 0-9 A-H J-N P-R T-U W-Y (no I, O, S, V, Z). Position 1 is the registration authority code,
// 2 the entity type, 3-8 the administrative division (digits), 9-17 the organisation code and
// 18 the check character: with the first 17 characters' values v(i) (0-9, then A = 10 ... Y = 30
// in alphabet order) and weights w(i) = 3^i mod 31 (i = 0..16), check = 31 - (sum v(i) w(i)
// mod 31), where 31 becomes 0. Positions 1, 2 and 9-17 are not checked beyond the alphabet:
// their code lists keep growing. Errors are ErrorCode::kInvalidUscc.
Status validate_uscc(std::string_view text);

// Mainland resident identity number (公民身份号码), GB 11643-1999: 17 digits and a check
// character, 0-9 or X (upper case only). The first digit (the province's) is 1..8; digits 7-14
// are the birth date YYYYMMDD, a real calendar date in years 1900..2100; the check character is
// ISO 7064 MOD 11-2: "10X98765432"[sum % 11] with weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
// (2^(17-i) mod 11). Errors are ErrorCode::kInvalidField.
Status validate_resident_id(std::string_view text);

// An HS code as declared: digits only, 6, 8 or 10 of them (the contract's "digits only (6 to
// 10)": the international subheading, China's 8-digit tariff line or its 10-digit statistical
// code), in chapter 01..97 but not 77 (reserved by the WCO). Whether the code is in the tariff
// is the tariff's question (unknown_hs_code). Errors are ErrorCode::kInvalidField.
Status validate_hs_code(std::string_view text);

// An HS prefix as used in policy lists ("84" for a chapter, "8471" for a heading): digits only,
// an even number of them from 2 to 10, with the same chapter rule. Errors are
// ErrorCode::kInvalidField.
Status validate_hs_prefix(std::string_view text);

}  // namespace zg
