// Where a result stands among the applied commands (CommandIndex's
// entries), for results asked for in the order their commands were
// applied: how a snapshot names a declaration's result.
//
// A declaration's command was applied before the next declaration's, so a
// cursor moving forward finds each in one sequential pass. A hash map of a
// million entries, looked up in that order, was half of encoding's time
// (cache misses; perf of `zonegate snapshot`), in the child process that
// writes a snapshot beside a live zone. Should a result be asked for out of
// that order, a map is built then and used from there on.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "engine/command_index.h"

namespace zg {

class ResultPositions {
 public:
  explicit ResultPositions(const std::vector<CommandIndex::Entry>& applied) : applied_(applied) {}

  // The position of the entry whose result is `result`; throws
  // std::out_of_range when there is none.
  uint64_t of(ResultStore::Ref result) {
    if (map_.empty()) {
      for (size_t i = next_; i < applied_.size(); ++i) {
        if (applied_[i].result.chunk == result.chunk &&
            applied_[i].result.offset == result.offset) {
          next_ = i + 1;
          return i;
        }
      }
      map_.reserve(applied_.size());
      for (size_t i = 0; i < applied_.size(); ++i) map_.emplace(key(applied_[i].result), i);
    }
    return map_.at(key(result));
  }

  // Whether a map had to be built (tests).
  bool fell_back() const { return !map_.empty(); }

 private:
  static uint64_t key(ResultStore::Ref r) { return (uint64_t{r.chunk} << 32) | r.offset; }

  const std::vector<CommandIndex::Entry>& applied_;
  size_t next_ = 0;  // where the cursor looks next
  std::unordered_map<uint64_t, uint64_t> map_;
};

}  // namespace zg
