// Reads JSON Lines input (a file or standard input) in large chunks and
// hands out one line at a time, without its line ending. A line longer than
// `line_bytes_max` is not kept: it is reported as oversize with its length
// so the caller can answer it in place.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace zg::cli {

class LineReader {
 public:
  LineReader(std::FILE* in, size_t line_bytes_max) : in_(in), line_bytes_max_(line_bytes_max) {}

  // False at the end of input. `oversize` is set for a line over the limit
  // (then `line` is empty and `oversize_bytes` its length).
  bool next(std::string_view& line, bool& oversize, size_t& oversize_bytes);
  bool failed() const { return std::ferror(in_) != 0; }
  size_t bytes_read() const { return bytes_read_; }

 private:
  bool fill();
  std::FILE* in_;
  size_t line_bytes_max_;
  std::string buffer_;
  size_t start_ = 0;
  bool eof_ = false;
  size_t bytes_read_ = 0;
};

}  // namespace zg::cli
