// Results of accepted commands, kept for idempotent repeats: an append-only
// arena of large chunks, so storing a result costs no allocation of its own
// and nothing already stored ever moves. (CommandIndex keeps the commands'
// ids in one too.) Results of commands replayed from the journal are left
// there (Ref::in_journal(); engine.h, ResultKeeping).
//
// Chunks are mapped with transparent huge pages where the kernel offers
// them: a busy zone keeps hundreds of megabytes of results, and faulting
// them in 4 KiB at a time cost more than writing them (measured:
// docs/architecture.md).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace zg {

class ResultStore {
 public:
  struct Ref {
    uint32_t chunk = 0;
    uint32_t offset = 0;
    uint32_t length = 0;
    // Kept in the zone's journal, not here: the result of a command that
    // was replayed from the journal (its row holds the result, and memory
    // for hundreds of megabytes of text copied from it buys nothing).
    bool in_journal() const { return chunk == kInJournalChunk; }
  };
  static constexpr uint32_t kInJournalChunk = 0xFFFFFFFF;
  static constexpr Ref kInJournal{kInJournalChunk, 0, 0};

  ResultStore() = default;
  ~ResultStore();
  ResultStore(const ResultStore&) = delete;
  ResultStore& operator=(const ResultStore&) = delete;

  // Copies `text` in; the view get() returns stays valid for the store's life.
  Ref add(std::string_view text);
  // Only for a ref that is not in_journal().
  std::string_view get(Ref ref) const {
    return std::string_view(chunks_[ref.chunk].data + ref.offset, ref.length);
  }
  size_t bytes() const { return bytes_; }

 private:
  struct Chunk {
    char* data;
    size_t size;
  };
  static constexpr size_t kChunkBytes = 8 << 20;
  void add_chunk(size_t size);
  std::vector<Chunk> chunks_;
  size_t used_ = 0;  // in the last chunk
  size_t bytes_ = 0;
};

}  // namespace zg
