#include "engine/command_index.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <new>
#include <utility>

namespace zg {
namespace {

uint64_t hash_of(std::string_view id) {
  return std::hash<std::string_view>{}(id);
}

}  // namespace

size_t CommandIndex::probe(std::string_view id, uint64_t hash) const {
  const uint64_t upper = hash & 0xFFFFFFFF00000000ULL;
  const size_t mask = slots_.size() - 1;
  for (size_t at = static_cast<size_t>(hash) & mask;; at = (at + 1) & mask) {
    const uint64_t slot = slots_[at];
    if (slot == 0) return at;
    if ((slot & 0xFFFFFFFF00000000ULL) == upper &&
        ids_.get(entries_[(slot & 0xFFFFFFFFULL) - 1].id) == id) {
      return at;
    }
  }
}

const CommandIndex::Entry* CommandIndex::find(std::string_view id) const {
  if (slots_.empty()) return nullptr;
  const uint64_t slot = slots_[probe(id, hash_of(id))];
  return slot == 0 ? nullptr : &entries_[(slot & 0xFFFFFFFFULL) - 1];
}

bool CommandIndex::add(std::string_view id, const std::array<unsigned char, 32>& digest,
                       uint64_t seq, ResultStore::Ref result) {
  // Indexes are 32 bits in a slot (0 marks it empty).
  if (entries_.size() >= std::numeric_limits<uint32_t>::max() - 1) throw std::bad_alloc();
  // Grown first (it may move every slot), so the probe's answer holds.
  if ((entries_.size() + 1) * 2 > slots_.size()) rehash(std::max<size_t>(16, slots_.size() * 2));
  const uint64_t hash = hash_of(id);
  const size_t at = probe(id, hash);
  if (slots_[at] != 0) return false;
  entries_.push_back(Entry{ids_.add(id), digest, result, seq});
  slots_[at] = slot_of(hash, entries_.size() - 1);
  return true;
}

void CommandIndex::reserve(size_t n) {
  entries_.reserve(n);
  size_t slots = 16;
  while (slots < n * 2) slots *= 2;
  if (slots > slots_.size()) rehash(slots);
}

void CommandIndex::rehash(size_t slots) {
  // A snapshot's child writes the entries and ids, never the slots.
  ZeroedTable<uint64_t> fresh(slots, ForkedChildren::kDoNotInherit);
  const size_t mask = slots - 1;
  for (size_t index = 0; index < entries_.size(); ++index) {
    const uint64_t hash = hash_of(ids_.get(entries_[index].id));
    size_t at = static_cast<size_t>(hash) & mask;
    while (fresh[at] != 0) at = (at + 1) & mask;
    fresh[at] = slot_of(hash, index);
  }
  slots_ = std::move(fresh);
}

}  // namespace zg
