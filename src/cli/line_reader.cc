#include "cli/line_reader.h"

#include <cstring>

namespace zg::cli {

namespace {
constexpr size_t kChunkBytes = 1 << 20;
}

bool LineReader::fill() {
  if (eof_) return false;
  // Drop what was consumed, then append a chunk.
  buffer_.erase(0, start_);
  start_ = 0;
  const size_t old_size = buffer_.size();
  buffer_.resize(old_size + kChunkBytes);
  const size_t got = std::fread(buffer_.data() + old_size, 1, kChunkBytes, in_);
  buffer_.resize(old_size + got);
  bytes_read_ += got;
  if (got == 0) eof_ = true;
  return got > 0;
}

bool LineReader::next(std::string_view& line, bool& oversize, size_t& oversize_bytes) {
  oversize = false;
  oversize_bytes = 0;
  size_t skipped = 0;  // bytes of an oversize line already thrown away
  for (;;) {
    const char* begin = buffer_.data() + start_;
    const size_t available = buffer_.size() - start_;
    const void* newline = std::memchr(begin, '\n', available);
    if (newline != nullptr) {
      size_t length = static_cast<size_t>(static_cast<const char*>(newline) - begin);
      start_ += length + 1;
      if (skipped > 0 || length > line_bytes_max_) {
        oversize = true;
        oversize_bytes = skipped + length;
        line = {};
        return true;
      }
      if (length > 0 && begin[length - 1] == '\r') --length;
      line = std::string_view(begin, length);
      return true;
    }
    if (available > line_bytes_max_) {
      // Too long to keep: throw it away and look for its end.
      skipped += available;
      start_ = buffer_.size();
    }
    if (!fill()) {
      const size_t rest = buffer_.size() - start_;
      if (rest == 0 && skipped == 0) return false;
      begin = buffer_.data() + start_;
      start_ = buffer_.size();
      if (skipped > 0 || rest > line_bytes_max_) {
        oversize = true;
        oversize_bytes = skipped + rest;
        line = {};
        return true;
      }
      line = std::string_view(begin, rest);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      return true;
    }
  }
}

}  // namespace zg::cli
