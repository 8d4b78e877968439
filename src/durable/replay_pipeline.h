// Replay in three stages, each on a thread of its own, so that the engine's
// thread does nothing but apply:
//
//   reading   checks each journal row (sequence, leaf hash, shape) and
//             parses its command;
//   applying  (the caller's thread) applies the commands in order;
//   checking  puts each re-derived result in canonical form and compares it
//             with the recorded one.
//
// Rows travel in batches round a ring: a batch is free, then read, then
// applied, then free again. A stage that fails stops the ones before it;
// the ones after it finish what was handed to them, so the error reported
// is the one at the lowest sequence number.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "engine/engine.h"

namespace zg {

// One journal row on its way through the stages.
struct ReplayItem {
  uint64_t seq = 0;
  std::string pack;      // the hash of the pack that decided it
  std::string recorded;  // the recorded result, canonical
  PreparedCommand command;
  // Set by the applying stage: the engine's result for it, copied (the
  // engine keeps a replayed command's result in the journal, not in memory).
  std::string derived;
};

// What the reading stage fills: slot() is the next row's place; push()
// hands it on, and is false once a later stage has failed (reading ends).
class ReplayFeed {
 public:
  virtual ~ReplayFeed() = default;
  virtual ReplayItem& slot() = 0;
  virtual bool push() = 0;
};

struct ReplayStages {
  // Fills the feed with every row, in order; its error (a missing or damaged
  // row) ends the replay once the rows before it are applied and checked.
  std::function<Status(ReplayFeed&)> read;
  // Applies one row and sets its `derived`.
  std::function<Status(ReplayItem&)> apply;
  // Compares one applied row's `derived` with its `recorded`.
  std::function<Status(const ReplayItem&)> check;
};

// Runs the three stages to the end or to the first error (see above).
Status run_replay_stages(const ReplayStages& stages);

}  // namespace zg
