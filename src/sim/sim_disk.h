// A simulated disk under SQLite, for the deterministic simulation
// (docs/reliability.md): a VFS that passes every call to the real one
// (files in a scratch directory) but remembers, sector by sector, what was
// written since each file's last fsync. It can then:
//   - lose power: every later write and sync is dropped (the process is
//     gone), then each unsynced sector independently keeps its new bytes
//     or gets its old ones back — a torn write where a write spanned
//     sectors — and a file grows back to its synced size;
//   - lose power after the next N writes (a crash in the middle of a commit);
//   - be full: writes fail with SQLITE_FULL, as a full disk's do.
// Which sectors survive comes from the disk's own seeded generator, and
// SQLite's randomness (WAL salts) from it too: one seed, one history.
//
// One disk per process, installed as SQLite's default VFS (simtest runs
// nothing else). Not thread-safe beyond what SQLite asks: the simulation
// drives one connection at a time.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "demo/rng.h"

namespace zg::sim {

class SimDisk {
 public:
  // Installs the disk as the default VFS (once per process) and returns it.
  static SimDisk& install();

  // A fresh history: forgets every file's unsynced sectors and reseeds.
  void reset(uint64_t seed);

  // Power fails now: writes and syncs are dropped from here on, until
  // recover_after_power_loss().
  void lose_power() { powered_ = false; }
  // Power fails after `writes` more writes succeed.
  void lose_power_after(int64_t writes) { writes_until_power_loss_ = writes; }
  // Power fails at the next fsync (which never happens): everything the
  // commit wrote is unsynced, its last frame possibly on the platter.
  void lose_power_at_sync(bool planned = true) { power_loss_at_sync_ = planned; }
  bool powered() const { return powered_; }
  // The files as a disk that lost power leaves them (see above); power back.
  void recover_after_power_loss();

  void set_full(bool full) { full_ = full; }

  // Whether SQLite's default VFS is this disk (true after install()) or the
  // real one: a seed ends with the real one back.
  static void make_default(bool sim);

  // A broken disk, for the simulation's own test: fsync returns at once and
  // keeps nothing, so a power loss can take acknowledged commits.
  void set_lying_fsync(bool lying) { lying_fsync_ = lying; }

  // What the disk has done since reset().
  struct Counters {
    uint64_t writes = 0, syncs = 0, power_losses = 0;
    uint64_t sectors_kept = 0, sectors_lost = 0;  // unsynced sectors at power losses
    uint64_t full_refusals = 0;
  };
  const Counters& counters() const { return counters_; }

 private:
  friend struct VfsCalls;  // the VFS's callbacks (sim_disk.cc)
  SimDisk() = default;
  // Tearing happens in whole sectors of this size: the unix VFS reports
  // 4 KiB sectors and powersafe overwrite, so SQLite trusts a write not to
  // damage bytes outside it; nothing else about atomicity.
  static constexpr int64_t kSectorBytes = 4096;

  struct Unsynced {
    int64_t synced_size = 0;                 // the file's size at its last sync
    std::map<int64_t, std::string> sectors;  // sector number -> its bytes at the last sync
  };
  // Counts a write; false once the power is off (or goes off with this one).
  bool take_write();

  std::map<std::string, Unsynced> files_;
  demo::Rng rng_{1};         // which sectors survive a power cut
  demo::Rng sqlite_rng_{1};  // what SQLite gets for randomness (WAL salts)
  Counters counters_;
  bool powered_ = true;
  bool full_ = false;
  bool lying_fsync_ = false;
  int64_t writes_until_power_loss_ = -1;  // -1: no loss planned
  bool power_loss_at_sync_ = false;
};

}  // namespace zg::sim
