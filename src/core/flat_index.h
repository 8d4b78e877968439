// The probing of an open-addressed table from text keys to the indexes of
// entries kept elsewhere, in the order they were added: CommandIndex's ids,
// a book's items.
//
// A std::unordered_map read a bucket and a node in two far places of
// memory for each look-up (perf put each at a cache miss or more, in a
// replay whose journal streams through the caches). Here a look-up reads a
// few adjacent 8-byte slots, usually in one cache line: linear probing, the
// table at most half full, each slot holding the upper half of the key's
// hash and the entry's index + 1 (0: empty). The key itself is read, from
// its entry, only when that half matches.
//
// `Slots` is any indexable array of uint64_t whose size is a power of two
// (std::vector, ZeroedTable); the caller grows it (refill) before it would
// be more than half full.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

namespace zg::flat_index {

inline uint64_t hash_of(std::string_view key) {
  return std::hash<std::string_view>{}(key);
}

inline uint64_t slot_of(uint64_t hash, size_t index) {
  return (hash & 0xFFFFFFFF00000000ULL) | (static_cast<uint64_t>(index) + 1);
}

// The entry index a full slot holds.
inline size_t index_in(uint64_t slot) {
  return static_cast<size_t>(slot & 0xFFFFFFFFULL) - 1;
}

// Entries an index can hold: their indexes are 32 bits in a slot.
inline constexpr size_t kEntriesMax = 0xFFFFFFFEULL;

// Whether a table of `slots` slots must grow before holding `entries`.
inline bool must_grow(size_t entries, size_t slots) {
  return entries * 2 > slots;
}

// The slot that holds `key` (whose hash is `hash`), or the empty one where
// it would go. `key_of(index)` is the key of the entry at `index`.
template <class Slots, class KeyOf>
size_t probe(const Slots& slots, std::string_view key, uint64_t hash, const KeyOf& key_of) {
  const uint64_t upper = hash & 0xFFFFFFFF00000000ULL;
  const size_t mask = slots.size() - 1;
  for (size_t at = static_cast<size_t>(hash) & mask;; at = (at + 1) & mask) {
    const uint64_t slot = slots[at];
    if (slot == 0) return at;
    if ((slot & 0xFFFFFFFF00000000ULL) == upper && key_of(index_in(slot)) == key) return at;
  }
}

// Puts entries 0 .. count - 1 into `fresh`, a zeroed table of a power of
// two slots at least twice `count`.
template <class Slots, class KeyOf>
void refill(Slots& fresh, size_t count, const KeyOf& key_of) {
  const size_t mask = fresh.size() - 1;
  for (size_t index = 0; index < count; ++index) {
    const uint64_t hash = hash_of(key_of(index));
    size_t at = static_cast<size_t>(hash) & mask;
    while (fresh[at] != 0) at = (at + 1) & mask;
    fresh[at] = slot_of(hash, index);
  }
}

}  // namespace zg::flat_index
