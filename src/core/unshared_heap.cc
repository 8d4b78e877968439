#include "core/unshared_heap.h"

#include <sys/mman.h>

#include <atomic>
#include <cstddef>

// jemalloc's control interface, when the binary links jemalloc (weak: a
// binary without it sees a null function and everything here is a no-op).
extern "C" int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen)
    __attribute__((weak));

// jemalloc's extent hooks (jemalloc/jemalloc.h), declared here so the code
// builds without jemalloc's headers where the library is absent.
extern "C" {
struct extent_hooks_s;
using extent_hooks_t = extent_hooks_s;
using extent_alloc_t = void*(extent_hooks_t*, void*, size_t, size_t, bool*, bool*, unsigned);
struct extent_hooks_s {
  extent_alloc_t* alloc;
  void* rest[8];  // dalloc, destroy, commit, decommit, purge_lazy, purge_forced, split, merge
};
}

namespace zg::unshared_heap {
namespace {

extent_hooks_t* default_hooks = nullptr;
extent_hooks_t unshared_hooks;
// False while the arena is made: its first block holds the arena itself,
// which jemalloc's fork handler resets in the child, so that block must be
// inherited.
std::atomic<bool> created{false};

// jemalloc's own allocation, then marked not to be inherited by a fork.
void* alloc_unshared(extent_hooks_t*, void* new_addr, size_t size, size_t alignment, bool* zero,
                     bool* commit, unsigned arena_index) {
  void* extent =
      default_hooks->alloc(default_hooks, new_addr, size, alignment, zero, commit, arena_index);
  if (extent != nullptr && created.load()) madvise(extent, size, MADV_DONTFORK);
  return extent;
}

// The unshared arena's index, or 0 for none (arena 0 is always jemalloc's own).
unsigned unshared_arena() {
  static const unsigned index = [] {
    if (mallctl == nullptr) return 0u;
    size_t size = sizeof default_hooks;
    if (mallctl("arena.0.extent_hooks", &default_hooks, &size, nullptr, 0) != 0) return 0u;
    unshared_hooks = *default_hooks;
    unshared_hooks.alloc = alloc_unshared;
    extent_hooks_t* hooks = &unshared_hooks;
    unsigned arena = 0;
    size = sizeof arena;
    if (mallctl("arenas.create", &arena, &size, &hooks, sizeof hooks) != 0) return 0u;
    created = true;
    return arena;
  }();
  return index;
}

}  // namespace

bool use_for_this_thread() {
  unsigned arena = unshared_arena();
  if (arena == 0) return false;
  return mallctl("thread.arena", nullptr, nullptr, &arena, sizeof arena) == 0;
}

void keep_thread_to_its_arena() {
  if (mallctl == nullptr) return;
  bool enabled = false;
  mallctl("thread.tcache.enabled", nullptr, nullptr, &enabled, sizeof enabled);
}

}  // namespace zg::unshared_heap
