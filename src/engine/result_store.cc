#include "engine/result_store.h"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <new>

namespace zg {

ResultStore::~ResultStore() {
  for (const Chunk& chunk : chunks_) munmap(chunk.data, chunk.size);
}

void ResultStore::add_chunk(size_t size) {
  void* data = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (data == MAP_FAILED) throw std::bad_alloc();
  // A hint: refused or unsupported, the chunk still works with small pages.
  madvise(data, size, MADV_HUGEPAGE);
  chunks_.push_back(Chunk{static_cast<char*>(data), size});
  used_ = 0;
}

ResultStore::Ref ResultStore::add(std::string_view text) {
  if (text.size() > kChunkBytes) {
    // A result larger than a chunk gets a chunk of its own, marked full.
    add_chunk(text.size());
    used_ = text.size();
  } else if (chunks_.empty() || kChunkBytes - used_ < text.size() ||
             chunks_.back().size != kChunkBytes) {
    add_chunk(kChunkBytes);
  }
  Chunk& chunk = chunks_.back();
  const size_t offset = chunk.size == kChunkBytes ? used_ : 0;
  std::memcpy(chunk.data + offset, text.data(), text.size());
  if (chunk.size == kChunkBytes) used_ += text.size();
  bytes_ += text.size();
  return Ref{static_cast<uint32_t>(chunks_.size() - 1), static_cast<uint32_t>(offset),
             static_cast<uint32_t>(text.size())};
}

}  // namespace zg
