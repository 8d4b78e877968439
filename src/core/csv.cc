#include "core/csv.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>

namespace zg {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

Status csv_error(int line, std::string_view what) {
  std::string message = "line " + std::to_string(line) + ": ";
  message += what;
  return Status(ErrorCode::kPolicyInvalid, "", std::move(message));
}

std::string cell_count_text(size_t count) {
  return std::to_string(count) + (count == 1 ? " cell" : " cells");
}

// Reads the rows of CSV text one at a time. Holds a view: the text must outlive it.
class RowReader {
 public:
  enum class Step : uint8_t { kRow, kEnd, kError };

  explicit RowReader(std::string_view text) : text_(text) {}

  // Reads the next non-empty row into *row, replacing its cells. kError sets *status.
  Step next(CsvRow* row, Status* status);

 private:
  // Each reads one cell starting at pos_ and leaves pos_ on what follows the cell:
  // ',', a line end or the end of the text. cell_number is 1-based, for messages.
  bool read_unquoted(std::string* cell, size_t cell_number, Status* status);
  bool read_quoted(std::string* cell, size_t cell_number, Status* status);
  // Consumes "\n" or "\r\n" at pos_. A lone "\r" is an error.
  bool end_line(Status* status);

  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
};

RowReader::Step RowReader::next(CsvRow* row, Status* status) {
  while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
    if (!end_line(status)) return Step::kError;  // Empty lines are skipped.
  }
  if (pos_ == text_.size()) return Step::kEnd;
  row->line = line_;
  row->cells.clear();
  while (true) {
    std::string& cell = row->cells.emplace_back();
    const size_t cell_number = row->cells.size();
    const bool quoted = pos_ < text_.size() && text_[pos_] == '"';
    const bool read_ok = quoted ? read_quoted(&cell, cell_number, status)
                                : read_unquoted(&cell, cell_number, status);
    if (!read_ok) return Step::kError;
    if (pos_ == text_.size()) return Step::kRow;
    if (text_[pos_] == ',') {
      ++pos_;
      continue;  // A ',' at the end of a line is followed by one more, empty, cell.
    }
    return end_line(status) ? Step::kRow : Step::kError;
  }
}

bool RowReader::read_unquoted(std::string* cell, size_t cell_number, Status* status) {
  const size_t stop = std::min(text_.find_first_of(",\r\n\"", pos_), text_.size());
  if (stop < text_.size() && text_[stop] == '"') {
    *status = csv_error(line_, "stray quote in unquoted cell " + std::to_string(cell_number) +
                                   " (put the cell in quotes and double the quotes inside)");
    return false;
  }
  cell->assign(text_.substr(pos_, stop - pos_));
  pos_ = stop;
  return true;
}

bool RowReader::read_quoted(std::string* cell, size_t cell_number, Status* status) {
  const int start_line = line_;
  ++pos_;  // The opening quote.
  while (true) {
    const size_t stop = text_.find_first_of("\"\r\n", pos_);
    if (stop == std::string_view::npos) {
      *status = csv_error(start_line, "unterminated quote: quoted cell " +
                                          std::to_string(cell_number) + " never ends");
      return false;
    }
    cell->append(text_.substr(pos_, stop - pos_));
    pos_ = stop;
    const bool crlf = text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n';
    if (text_[pos_] == '\n' || crlf) {
      cell->push_back('\n');  // CRLF and LF read the same; see csv.h.
      pos_ += crlf ? 2 : 1;
      ++line_;
      continue;
    }
    if (text_[pos_] == '\r') {
      cell->push_back('\r');  // A lone CR inside quotes is data.
      ++pos_;
      continue;
    }
    if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
      cell->push_back('"');  // "" inside quotes is one quote.
      pos_ += 2;
      continue;
    }
    ++pos_;  // The closing quote.
    if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') {
      *status =
          csv_error(line_, "text after the closing quote of cell " + std::to_string(cell_number) +
                               " (double a quote that belongs in the cell)");
      return false;
    }
    return true;
  }
}

bool RowReader::end_line(Status* status) {
  if (text_[pos_] == '\n') {
    ++pos_;
  } else if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') {
    pos_ += 2;
  } else {
    *status = csv_error(line_, "carriage return without a line feed (use LF or CRLF line ends)");
    return false;
  }
  ++line_;
  return true;
}

Status check_header(const std::vector<std::string>& header, int line) {
  for (size_t later = 1; later < header.size(); ++later) {
    for (size_t earlier = 0; earlier < later; ++earlier) {
      if (header[earlier] != header[later]) continue;
      return csv_error(line, "column \"" + header[later] + "\" is in the header twice (columns " +
                                 std::to_string(earlier + 1) + " and " + std::to_string(later + 1) +
                                 ")");
    }
  }
  return Status::ok();
}

}  // namespace

int CsvTable::column(std::string_view name) const {
  for (size_t index = 0; index < header.size(); ++index) {
    if (header[index] == name) return static_cast<int>(index);
  }
  return -1;
}

Result<CsvTable> parse_csv(std::string_view text) {
  if (text.starts_with(kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  RowReader reader(text);
  CsvTable table;
  CsvRow row;
  Status status;
  RowReader::Step step = reader.next(&row, &status);
  if (step == RowReader::Step::kError) return status;
  if (step == RowReader::Step::kEnd) return csv_error(1, "no header row: the text is empty");
  status = check_header(row.cells, row.line);
  if (!status.is_ok()) return status;
  table.header = std::move(row.cells);
  // One row per line is the usual case; the count is a cheap pass over the bytes.
  table.rows.reserve(static_cast<size_t>(std::count(text.begin(), text.end(), '\n')));
  while (true) {
    row = CsvRow{};
    row.cells.reserve(table.header.size());
    step = reader.next(&row, &status);
    if (step == RowReader::Step::kError) return status;
    if (step == RowReader::Step::kEnd) break;
    if (row.cells.size() != table.header.size()) {
      return csv_error(row.line, cell_count_text(row.cells.size()) + ", the header has " +
                                     std::to_string(table.header.size()));
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

}  // namespace zg
