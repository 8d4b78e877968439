#include "engine/command_index.h"

#include <algorithm>
#include <new>
#include <utility>

#include "core/flat_index.h"

namespace zg {

size_t CommandIndex::probe(std::string_view id, uint64_t hash) const {
  return flat_index::probe(slots_, id, hash,
                           [this](size_t index) { return ids_.get(entries_[index].id); });
}

const CommandIndex::Entry* CommandIndex::find(std::string_view id) const {
  if (slots_.empty()) return nullptr;
  const uint64_t slot = slots_[probe(id, flat_index::hash_of(id))];
  return slot == 0 ? nullptr : &entries_[flat_index::index_in(slot)];
}

bool CommandIndex::add(std::string_view id, const std::array<unsigned char, 32>& digest,
                       uint64_t seq, ResultStore::Ref result) {
  if (entries_.size() >= flat_index::kEntriesMax) throw std::bad_alloc();
  // Grown first (it may move every slot), so the probe's answer holds.
  if (flat_index::must_grow(entries_.size() + 1, slots_.size())) {
    rehash(std::max<size_t>(16, slots_.size() * 2));
  }
  const uint64_t hash = flat_index::hash_of(id);
  const size_t at = probe(id, hash);
  if (slots_[at] != 0) return false;
  entries_.push_back(Entry{ids_.add(id), digest, result, seq});
  slots_[at] = flat_index::slot_of(hash, entries_.size() - 1);
  return true;
}

void CommandIndex::reserve(size_t n) {
  entries_.reserve(n);
  size_t slots = 16;
  while (flat_index::must_grow(n, slots)) slots *= 2;
  if (slots > slots_.size()) rehash(slots);
}

void CommandIndex::rehash(size_t slots) {
  // A snapshot's child writes the entries and ids, never the slots.
  ZeroedTable<uint64_t> fresh(slots, ForkedChildren::kDoNotInherit);
  flat_index::refill(fresh, entries_.size(),
                     [this](size_t index) { return ids_.get(entries_[index].id); });
  slots_ = std::move(fresh);
}

}  // namespace zg
