#include "engine/result_store.h"

#include <cstring>

namespace zg {

ResultStore::Ref ResultStore::add(std::string_view text) {
  if (text.size() > kChunkBytes) {
    // A result larger than a chunk gets a chunk of its own, marked full.
    chunks_.push_back(std::make_unique_for_overwrite<char[]>(text.size()));
    used_ = kChunkBytes;
    std::memcpy(chunks_.back().get(), text.data(), text.size());
    bytes_ += text.size();
    return Ref{static_cast<uint32_t>(chunks_.size() - 1), 0, static_cast<uint32_t>(text.size())};
  }
  if (kChunkBytes - used_ < text.size()) {
    chunks_.push_back(std::make_unique_for_overwrite<char[]>(kChunkBytes));
    used_ = 0;
  }
  const Ref ref{static_cast<uint32_t>(chunks_.size() - 1), static_cast<uint32_t>(used_),
                static_cast<uint32_t>(text.size())};
  std::memcpy(chunks_.back().get() + used_, text.data(), text.size());
  used_ += text.size();
  bytes_ += text.size();
  return ref;
}

}  // namespace zg
