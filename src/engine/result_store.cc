#include "engine/result_store.h"

#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <new>

namespace zg {

std::shared_ptr<char> ResultStore::map(size_t size, bool recent) {
  if (recent && size == kChunkBytes && !spare_.empty()) {
    std::shared_ptr<char> memory = std::move(spare_.back());
    spare_.pop_back();
    return memory;
  }
  void* data = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (data == MAP_FAILED) throw std::bad_alloc();
  // Hints: refused or unsupported, the chunk still works (with small
  // pages; shared with a forked child, which never reads it).
  madvise(data, size, MADV_HUGEPAGE);
  if (recent) madvise(data, size, MADV_DONTFORK);
  return std::shared_ptr<char>(static_cast<char*>(data), [size](char* p) { munmap(p, size); });
}

ResultStore::Ref ResultStore::add(std::string_view text, uint64_t seq, bool for_good) {
  const auto place = [&](auto& chunks, uint32_t number_of_last) -> Ref {
    // A text larger than a chunk gets a chunk of its own, full at once.
    if (chunks.empty() || chunks.back().size - chunks.back().used < text.size()) {
      const size_t size = std::max(text.size(), kChunkBytes);
      chunks.push_back(Chunk{map(size, !for_good), size, 0, 0, 0});
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
    Chunk& chunk = recent_.front();
    bytes_ -= chunk.bytes;
    // Used again only if nothing else views it (an event a watcher may
    // still be sent holds a pin): the last pin's release happens before
    // this thread writes to it again.
    if (chunk.size == kChunkBytes && spare_.size() < kSpareChunksMax &&
        chunk.memory.use_count() == 1) {
      std::atomic_thread_fence(std::memory_order_acquire);
      spare_.push_back(std::move(chunk.memory));
    }
    recent_.pop_front();
    ++first_recent_;
  }
}

}  // namespace zg
