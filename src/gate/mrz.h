// ICAO Doc 9303 machine-readable zones: TD1 (ID cards, 3 lines of 30),
// TD2 (2 lines of 36) and TD3 (passports, 2 lines of 44). Every field is
// read and every check digit verified (weights 7, 3, 1; A–Z count 10–35,
// the filler '<' counts 0).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace zg::gate {

enum class MrzFormat { kTd1, kTd2, kTd3 };
std::string_view mrz_format_name(MrzFormat format);  // "TD1", "TD2", "TD3"

// One check digit: what it covers, what the zone holds and what it should.
struct MrzCheck {
  std::string
      field;  // "document_number", "birth_date", "expiry_date", "optional_data", "composite"
  char found = '<';
  int expected = 0;
  bool valid = false;
};

struct Mrz {
  MrzFormat format = MrzFormat::kTd3;
  std::string document_code;  // "P", "I", "AC", ... (fillers dropped)
  std::string issuing_state;  // ISO 3166 alpha-3 or an ICAO code ("D" for Germany)
  std::string surname;
  std::string given_names;  // names separated by spaces
  std::string document_number;
  std::string nationality;
  std::string birth_date_text;   // YYMMDD, as written
  std::string expiry_date_text;  // YYMMDD
  std::optional<Date> birth_date;
  std::optional<Date> expiry_date;
  char sex = 'X';               // 'M', 'F', or 'X' (unspecified: '<' in the zone)
  std::string optional_data;    // TD1: line 1's; TD2, TD3: line 2's
  std::string optional_data_2;  // TD1: line 2's
  std::vector<MrzCheck> checks;
  std::vector<std::string> problems;  // characters, dates or sex that are not of the form

  // Every check digit holds and every field has its form.
  bool valid() const;
};

// The check digit of `field`, or -1 when it holds a character an MRZ may not.
int mrz_check_digit(std::string_view field);

// Reads the lines of a zone. An error (kInvalidField) only when the lines
// are no format's (count and length); everything else is in the result.
Result<Mrz> parse_mrz(const std::vector<std::string>& lines);

// The result as JSON: format, every field, each check and `valid`.
std::string mrz_json(const Mrz& mrz);

}  // namespace zg::gate
