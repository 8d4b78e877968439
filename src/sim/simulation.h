// Deterministic simulation (docs/reliability.md): the durable engine —
// data directory, SQLite journal, group commit, snapshots, recovery — run
// from a seed on a simulated disk (sim_disk.h), with the zone's traffic
// from the demo's generators (enterprises, declarations, permits,
// enrolments), some of it changed on the way (damaged, repeated, conflicting)
// and every unanswered command sent again, as a client would. A partner
// (Macao's administration) receives the zone's shared messages over a link
// that loses, delays and duplicates them.
//
// Two nodes of the zone share its journal through a simulated shard store
// (sim_shard.h): the owner holds a lease, renewed each step; a standby
// follows the journal and takes the lease once it runs out or is let go.
//
// Faults, each step drawn from the seed: power lost between commits or in
// the middle of one (unsynced sectors torn), a full disk failing a commit,
// a snapshot damaged while the power was off, the owner's process dying
// between batches (its lease runs out, a node takes it over) or stopping
// just before a commit, sometimes long enough to lose its lease (it runs
// again deposed, and its commit must be fenced off). After every step,
// restart and takeover the invariants are checked:
//   - nothing acknowledged is lost: the journal holds every acknowledged
//     row, byte for byte, at its sequence number;
//   - one writer: every append that reached the journal was made at the
//     lease's epoch of the moment, never by a deposed owner; a fenced
//     commit leaves nothing; a node that takes over (or starts again after
//     giving up) finds exactly the rows acknowledged, and replays to them;
//   - the Merkle log is consistent: every root the zone had is a prefix of
//     the tree it has now (an RFC 9162 consistency proof holds);
//   - taxes are recomputable: a fresh engine replaying the journal gives
//     every recorded result again (taxes included), and the same state;
//   - books never go negative and every lot's balance is its postings;
//   - quantities are conserved: per book and item, postings add up to the
//     balances; an in-zone transfer's postings add up to zero across books;
//   - a message leaves the outbox only once the partner has it, a message
//     delivered twice is the same message, and none changes while it waits;
//   - the tax read model (by day) equals the sum of the declarations' own.
// The first broken invariant ends the seed with a message saying which,
// where. The same seed replays the same history.
#pragma once

#include <cstdint>
#include <string>

#include "policy/policy.h"

namespace zg::sim {

struct SimOptions {
  std::string pack_dir;     // the policy pack (Hengqin's)
  std::string scratch_dir;  // each seed's data directory is made here (and removed)
  int steps = 120;          // commits for the day's commands, at most (then quiet ones)
  int batch_max = 16;       // commands per commit, at most
  // The business the zone does (demo generators, small).
  int enterprises = 8;
  int declarations = 120;
  int travellers = 20;
  int cars = 6;
  // Faults and hostility, percent per step (power, disk) or per command.
  int power_loss_percent = 15;  // half between commits, half in the middle of one
  int full_disk_percent = 6;
  int damaged_snapshot_percent = 30;  // of power losses, when a snapshot exists
  int hostile_percent = 8;
  int message_loss_percent = 20;  // messages to the partner, and its acknowledgements
  int snapshot_every_steps = 6;
  // Two nodes share the zone's journal, as a shard's nodes share its store;
  // a lease (sim_shard.h) says which one writes. It lives this many steps
  // unless its owner renews it (every step it runs).
  int lease_ttl_steps = 3;
  int owner_pause_percent = 4;  // per step: the owner stops (SIGSTOP, a long pause) before a commit
  int owner_crash_percent = 3;  // per step: the owner's process dies, its lease left to run out
  bool lying_fsync = false;     // a broken disk, for the simulation's own test
  bool fence = true;  // false: a broken store that takes a deposed owner's rows (the same)
};

struct SeedReport {
  uint64_t seed = 0;
  int steps = 0;
  uint64_t commands = 0;      // commands sent (retries included)
  uint64_t acknowledged = 0;  // journal rows acknowledged
  uint64_t retries = 0;       // commands sent again after an unanswered commit
  uint64_t repeats = 0;       // of those, ones applied before: their recorded result checked
  uint64_t restarts = 0, power_losses = 0, mid_commit_losses = 0, full_disks = 0;
  uint64_t sectors_lost = 0, sectors_kept = 0;
  uint64_t snapshots = 0, snapshots_damaged = 0;
  uint64_t messages_sent = 0, messages_delivered = 0;  // to the partner (sends include retries)
  uint64_t failovers = 0;  // the lease taken by the other node than held it last
  uint64_t owner_pauses = 0, owner_crashes = 0;
  uint64_t fenced_commits = 0;   // a woken, deposed owner's commits refused
  uint64_t ownerless_steps = 0;  // steps no node could write (a lease running out)
  uint64_t checks = 0;           // invariant checks made
  bool day_unfinished = false;   // the day needed more than `steps`: no end-of-day check
  std::string history;           // SHA-256 of the journal's rows at the end (replays compare it)
  std::string failure;           // "" when every invariant held
  bool passed() const { return failure.empty(); }
};

// Runs one seed. Needs the simulated disk (SimDisk::install) as SQLite's
// default VFS: it installs it.
SeedReport simulate_seed(const PolicyPack& pack, const SimOptions& options, uint64_t seed);

}  // namespace zg::sim
