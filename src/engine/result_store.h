// Results of accepted commands, kept for idempotent repeats: an append-only
// arena of chunks, so storing a result costs no allocation of its own and
// nothing already stored ever moves.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace zg {

class ResultStore {
 public:
  struct Ref {
    uint32_t chunk = 0;
    uint32_t offset = 0;
    uint32_t length = 0;
  };

  // Copies `text` in; the view get() returns stays valid for the store's life.
  Ref add(std::string_view text);
  std::string_view get(Ref ref) const {
    return std::string_view(chunks_[ref.chunk].get() + ref.offset, ref.length);
  }
  size_t bytes() const { return bytes_; }

 private:
  static constexpr size_t kChunkBytes = 4 << 20;
  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t used_ = kChunkBytes;  // in the last chunk; "full" before the first
  size_t bytes_ = 0;
};

}  // namespace zg
