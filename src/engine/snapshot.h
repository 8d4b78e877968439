// Snapshots: the zone's state at a sequence number, in one file, so a
// restart loads it and replays only the journal's tail.
//
// Layout: the magic line "zonegate-snapshot 14\n" (its format), then the body (fixed-width
// little-endian integers and length-prefixed strings), then the SHA-256 of
// everything before it. A file whose hash does not match is damaged and is
// never half-loaded.
//
// Commands' results are not in it (they were three fifths of it): each is
// in the journal row the snapshot names by seq, as the journal holds every
// row up to the snapshot's. An engine loaded from a snapshot answers a
// repeated command through its ResultReader. Only a held declaration's
// command and result, which its inspection reads, are in the file.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "engine/engine.h"

namespace zg {

struct SnapshotInfo {
  uint64_t seq = 0;       // the last command the snapshot holds
  std::string pack_hash;  // the pack in force for the next command
  // The journal's leaf hash at `seq` (hex): ties the snapshot to the one
  // history it summarises, so a replaced journal cannot adopt it.
  std::string journal_leaf;
};

// Who writes a snapshot's pieces: a thread of the file's own, while the
// next piece is encoded (engine/snapshot_file.h), or the caller, each in
// turn (where no thread may be started).
enum class SnapshotWriter { kOwnThread, kCallersThread };

// Writes `engine`'s state to `path` (via a temporary file and a rename, and
// fsynced, so a crash leaves the old snapshot or the new, never a mix).
// It is encoded, hashed and written in pieces of `piece_bytes` (tests make
// them small), so it is never in memory whole: a large zone's snapshot is
// hundreds of MiB, and the child process that writes it beside a live
// zone would otherwise need that much fresh memory (at most four pieces
// are held: one being encoded, two waiting, one being written).
//
// `reuse`, when not empty, is an older snapshot the caller would drop
// after this one: it becomes the temporary file and is written over in
// place (SnapshotFile), which costs far less than a new file's pages.
inline constexpr size_t kSnapshotPieceBytes = 4 << 20;
Status write_snapshot(const Engine& engine, const std::string& pack_hash,
                      const std::string& journal_leaf, const std::string& path,
                      size_t piece_bytes = kSnapshotPieceBytes,
                      SnapshotWriter writer = SnapshotWriter::kOwnThread,
                      const std::string& reuse = "");

// Reads a snapshot into `engine`, which must be new (no command applied).
// Errors: corruption (a damaged or foreign file), unsupported_format (a
// snapshot of another format, which a replay of the journal replaces), io_error.
Result<SnapshotInfo> read_snapshot(const std::string& path, Engine& engine);

}  // namespace zg
