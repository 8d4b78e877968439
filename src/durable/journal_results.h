// Results read back from the journal, for repeats of commands whose
// results the engine did not keep (engine.h, ResultKeeping::kInJournal):
// every command replayed at start-up, from a snapshot or the journal.
#pragma once

#include <string>

#include "engine/engine.h"
#include "store/store_spec.h"

namespace zg {

// A reader of the journal of data directory `dir`, kept in the store
// `spec` names. It opens a connection of its own at its first read (most
// zones see few repeats of old commands), since the engine's thread calls
// it while the committer appends on the zone's. Copies of it share that
// connection; each read takes a lock.
ResultReader journal_result_reader(std::string dir, StoreSpec spec);

}  // namespace zg
