// The ids of the commands a zone accepted, each with its fingerprint and
// the result it got: what makes a repeated command idempotent.
//
// Every command is looked up here first, and nearly every lookup misses, in
// a table of millions: an open-addressed index (core/flat_index.h), where
// a miss reads a few adjacent slots, rather than std::unordered_map, whose
// misses were 10% of a replay's applying thread (perf). Entries are kept
// in the order accepted, in chunks that never move (StableVector: a
// server's index grows with every command, and a vector's doubling copied
// it all into fresh memory), their ids in an arena.
//
// Ids are the clients' text and std::hash is not keyed: ids made to collide
// would lengthen probes, as they would lengthen std::unordered_map's
// chains. Only accepted commands are added, each from an authenticated and
// rate-limited client.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/stable_vector.h"
#include "core/zeroed_table.h"
#include "engine/result_store.h"

namespace zg {

class CommandIndex {
 public:
  struct Entry {
    ResultStore::Ref id;                   // in the index's own arena
    std::array<unsigned char, 32> digest;  // SHA-256 of the command's canonical JSON
    ResultStore::Ref result;               // in the zone's result store, or in_journal()
    uint64_t seq;                          // the sequence number it was accepted as
  };

  // The entry for `id`, or nullptr.
  const Entry* find(std::string_view id) const;
  bool contains(std::string_view id) const { return find(id) != nullptr; }
  // Adds `id`; false, adding nothing, when it is there already.
  bool add(std::string_view id, const std::array<unsigned char, 32>& digest, uint64_t seq,
           ResultStore::Ref result);

  std::string_view id(const Entry& entry) const { return ids_.get(entry.id); }
  // In the order added.
  using Entries = StableVector<Entry, 15>;  // 2 MiB a chunk
  const Entries& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }
  // Room for `n` entries in all, so adding up to there does not rehash.
  void reserve(size_t n);

 private:
  void rehash(size_t slots);
  // The slot that holds `id`, or the empty one where it would go.
  size_t probe(std::string_view id, uint64_t hash) const;

  // A power of two, at most half full; read at random, so on huge pages
  // where the system gives them (core/zeroed_table.h); not inherited by a
  // snapshot's child, which does not read them.
  ZeroedTable<uint64_t> slots_;
  Entries entries_;
  ResultStore ids_;
};

}  // namespace zg
