// CSV (RFC 4180) reading for policy-pack files such as the tariff.
//
// The parser is strict, because a policy file that is read differently from how its
// author meant it changes duties: every row must have as many cells as the header, a
// quote may only open a cell, and the first problem found is reported with its line.
// Pure functions on text: no I/O, no globals, safe to call from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace zg {

struct CsvRow {
  int line = 0;  // 1-based line number where the row starts (a quoted cell may span lines)
  std::vector<std::string> cells;
};

struct CsvTable {
  std::vector<std::string> header;  // Names are unique (parse_csv checks).
  std::vector<CsvRow> rows;         // Data rows only; each has header.size() cells.

  // Index of a header column, or -1.
  int column(std::string_view name) const;
};

// Parses CSV text: comma separated, cells optionally in double quotes, "" inside quotes
// is a quote, quoted cells may contain commas and line breaks; CRLF or LF line ends; a
// UTF-8 byte order mark at the start is skipped; empty lines are skipped; the first row
// is the header.
//
// Choices the RFC leaves open:
// - A line break inside a quoted cell is returned as "\n" whether the file has CRLF or
//   LF line ends, so a pack reads the same after a checkout that converts line ends.
// - A carriage return that is not followed by a line feed outside quotes is an error
//   (old Mac line ends, or a stray byte), not a line end and not data.
// - Nothing is trimmed: " a " is a cell with spaces; a space before an opening quote
//   makes the quote a stray one.
// - A header with the same name twice is an error, so column() is never ambiguous.
//
// Errors are ErrorCode::kPolicyInvalid with an empty field and a message
// "line N: what is wrong"; only the first problem is reported.
Result<CsvTable> parse_csv(std::string_view text);

}  // namespace zg
