// Results of accepted commands, kept for idempotent repeats: arenas of
// large chunks, so storing a result costs no allocation of its own and
// nothing stored moves. (CommandIndex keeps the commands' ids in one too.)
// Results of commands replayed from the journal are left there
// (Ref::in_journal(); engine.h, ResultKeeping).
//
// Two kinds of text are kept:
//  - recent results, in chunks that a durable zone releases once their
//    rows are in the journal and well behind its newest (release_through):
//    a repeat of an older command reads its row instead. A server's memory
//    for results so stays flat, and a released chunk's memory is used again
//    for new results rather than fresh memory (which this VM's host takes
//    seconds to supply: docs/architecture.md, "Results");
//  - texts kept for good: a held declaration's command and result, which
//    its inspection reads again.
//
// Chunks take the pages the system gives: asking for huge pages
// (MADV_HUGEPAGE) made `zonegate run` slower on this VM, whose kernel
// zeroes 2 MiB at each fault (docs/architecture.md, "Memory"). Recent
// chunks are not shared with a forked snapshot writer (MADV_DONTFORK),
// which never reads them: the engine's writes to them then cost no copy
// while a snapshot is written.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

namespace zg {

class ResultStore {
 public:
  struct Ref {
    uint32_t chunk = 0;  // a chunk's number, never used again once released
    uint32_t offset = 0;
    uint32_t length = 0;
    // Kept in the zone's journal, not here: the result of a command that
    // was replayed from the journal (its row holds the result, and memory
    // for hundreds of megabytes of text copied from it buys nothing).
    bool in_journal() const { return chunk == kInJournalChunk; }
  };
  static constexpr uint32_t kInJournalChunk = 0xFFFFFFFF;
  static constexpr Ref kInJournal{kInJournalChunk, 0, 0};
  static constexpr size_t kChunkBytes = 8 << 20;
  // Released chunks kept for new results, beyond which they are unmapped.
  static constexpr size_t kSpareChunksMax = 4;

  ResultStore();
  ResultStore(const ResultStore&) = delete;
  ResultStore& operator=(const ResultStore&) = delete;

  // Copies in a text kept for good; get() views it.
  Ref add(std::string_view text) { return add(text, 0, /*for_good=*/true); }
  // Copies in the result of the command at `seq` (which rises from one
  // call to the next); get() views it until release_through(seq) or later.
  Ref add_recent(std::string_view text, uint64_t seq) { return add(text, seq, false); }
  // Whether the text is here: false for in_journal() and released refs.
  bool holds(Ref ref) const {
    if (ref.in_journal()) return false;
    if (ref.chunk & kForGoodBit) return true;
    return ref.chunk >= first_recent_ && ref.chunk - first_recent_ < recent_.size();
  }
  // Only for a ref the store holds().
  std::string_view get(Ref ref) const {
    const Chunk& chunk = chunk_of(ref);
    return std::string_view(chunk.memory.get() + ref.offset, ref.length);
  }
  // A share in the memory a held ref's text is in: the text stays readable
  // through it after the store releases the chunk, or is gone; the chunk
  // is used again once its last share goes. (Events that watchers are sent
  // view results so.)
  std::shared_ptr<const void> pin(Ref ref) const { return chunk_of(ref).memory; }
  // Lets go of recent texts of commands up to `seq`, a chunk at a time:
  // those whose every text is from a command at or below it (save the
  // chunk being written).
  void release_through(uint64_t seq);

  size_t bytes() const { return bytes_; }  // held now
  size_t chunks_held() const { return recent_.size() + for_good_.size(); }

 private:
  static constexpr uint32_t kForGoodBit = 0x80000000;
  struct Chunk {
    std::shared_ptr<char> memory;
    size_t size = 0;
    size_t used = 0;
    uint64_t last_seq = 0;  // of the newest text in it
    size_t bytes = 0;       // of text in it
  };
  Ref add(std::string_view text, uint64_t seq, bool for_good);
  const Chunk& chunk_of(Ref ref) const {
    return (ref.chunk & kForGoodBit) ? for_good_[ref.chunk & ~kForGoodBit]
                                     : recent_[ref.chunk - first_recent_];
  }
  // A chunk: a spare, or fresh memory (supplied at once when `populate`).
  std::shared_ptr<char> map(size_t size, bool recent, bool populate);

  // Released recent chunks, for new results: a chunk comes back here when
  // the last share in it goes, on whichever thread that is.
  struct Spares {
    std::mutex mutex;
    std::vector<char*> chunks;  // of kChunkBytes each
    ~Spares();
  };

  std::deque<Chunk> recent_;  // numbered from first_recent_ on
  uint32_t first_recent_ = 0;
  std::vector<Chunk> for_good_;
  std::shared_ptr<Spares> spares_;  // shared with the chunks' deleters
  size_t bytes_ = 0;
};

}  // namespace zg
