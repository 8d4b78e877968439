#include "engine/result_store.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <new>

#include "core/populate.h"

namespace zg {

ResultStore::Spares::~Spares() {
  for (char* chunk : chunks) munmap(chunk, kChunkBytes);
}

ResultStore::ResultStore() : spares_(std::make_shared<Spares>()) {}

std::shared_ptr<char> ResultStore::map(size_t size, bool recent, bool populate) {
  char* data = nullptr;
  if (recent && size == kChunkBytes) {
    std::lock_guard lock(spares_->mutex);
    if (!spares_->chunks.empty()) {
      data = spares_->chunks.back();
      spares_->chunks.pop_back();
    }
  }
  if (data == nullptr) {
    void* mapped = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) throw std::bad_alloc();
    data = static_cast<char*>(mapped);
    // Not inherited by a forked snapshot writer, which never reads recent
    // results (a hint: if refused, the child shares the chunk).
    if (recent) madvise(data, size, MADV_DONTFORK);
    if (populate) populate_for_writing(data, size);
  }
  if (!recent || size != kChunkBytes) {
    return std::shared_ptr<char>(data, [size](char* p) { munmap(p, size); });
  }
  // Back to the spares when its last share goes (the store's, or a pin's
  // on another thread: the lock orders that thread's reads before the
  // engine's next writes to it).
  return std::shared_ptr<char>(data, [spares = spares_](char* p) {
    {
      std::lock_guard lock(spares->mutex);
      if (spares->chunks.size() < kSpareChunksMax) {
        spares->chunks.push_back(p);
        return;
      }
    }
    munmap(p, kChunkBytes);
  });
}

ResultStore::Ref ResultStore::add(std::string_view text, uint64_t seq, bool for_good) {
  const auto place = [&](auto& chunks, uint32_t number_of_last) -> Ref {
    // A text larger than a chunk gets a chunk of its own, full at once.
    if (chunks.empty() || chunks.back().size - chunks.back().used < text.size()) {
      const size_t size = std::max(text.size(), kChunkBytes);
      // A store that filled a chunk will fill this one: its pages come in
      // one call (core/populate.h), not a fault at a time.
      const bool populate = !chunks.empty();
      chunks.push_back(Chunk{map(size, !for_good, populate), size, 0, 0, 0});
      ++number_of_last;
    }
    Chunk& chunk = chunks.back();
    std::memcpy(chunk.memory.get() + chunk.used, text.data(), text.size());
    const Ref ref{number_of_last, static_cast<uint32_t>(chunk.used),
                  static_cast<uint32_t>(text.size())};
    chunk.used += text.size();
    chunk.bytes += text.size();
    chunk.last_seq = seq;
    bytes_ += text.size();
    return ref;
  };
  if (for_good) {
    const Ref ref = place(for_good_, static_cast<uint32_t>(for_good_.size()) - 1);
    return Ref{ref.chunk | kForGoodBit, ref.offset, ref.length};
  }
  return place(recent_, first_recent_ + static_cast<uint32_t>(recent_.size()) - 1);
}

void ResultStore::release_through(uint64_t seq) {
  while (recent_.size() > 1 && recent_.front().last_seq <= seq) {
    bytes_ -= recent_.front().bytes;
    recent_.pop_front();  // its memory goes back to the spares with its last share
    ++first_recent_;
  }
}

}  // namespace zg
