#include "core/unshared_heap.h"

#include <sys/mman.h>

#include <cstddef>
#include <mutex>
#include <vector>

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
// True on a thread while it makes an arena: the arena's first block holds
// the arena itself, which jemalloc's fork handler resets in the child, so
// that block must be inherited.
thread_local bool making_arena = false;

// jemalloc's own allocation, then marked not to be inherited by a fork.
void* alloc_unshared(extent_hooks_t*, void* new_addr, size_t size, size_t alignment, bool* zero,
                     bool* commit, unsigned arena_index) {
  void* extent =
      default_hooks->alloc(default_hooks, new_addr, size, alignment, zero, commit, arena_index);
  if (extent != nullptr && !making_arena) madvise(extent, size, MADV_DONTFORK);
  return extent;
}

// Whether the unshared arenas can be made safely: jemalloc is linked, it
// retains its address space (with opt.retain off, freeing a block reads its
// neighbours' records, which in an unshared arena a forked child lacks), and
// a thread's cache can be turned off (keep_thread_to_its_arena).
bool hooks_ready() {
  static const bool ready = [] {
    if (mallctl == nullptr) return false;
    bool flag = false;
    size_t size = sizeof flag;
    if (mallctl("opt.retain", &flag, &size, nullptr, 0) != 0 || !flag) return false;
    size = sizeof flag;
    if (mallctl("thread.tcache.enabled", &flag, &size, nullptr, 0) != 0) return false;
    size = sizeof default_hooks;
    if (mallctl("arena.0.extent_hooks", &default_hooks, &size, nullptr, 0) != 0) return false;
    unshared_hooks = *default_hooks;
    unshared_hooks.alloc = alloc_unshared;
    return true;
  }();
  return ready;
}

// Arenas whose threads have ended, for the next thread to take: a server
// makes a committer (and its thread) again each time it becomes a shard's
// owner, and jemalloc never frees an arena.
std::mutex idle_mutex;
std::vector<unsigned> idle_arenas;  // GUARDED_BY(idle_mutex)

// The calling thread's unshared arena, handed back when the thread ends.
struct ThreadArena {
  unsigned index = 0;
  ~ThreadArena() {
    if (index == 0) return;
    std::lock_guard lock(idle_mutex);
    idle_arenas.push_back(index);
  }
};
thread_local ThreadArena thread_arena;

unsigned take_arena() {
  {
    std::lock_guard lock(idle_mutex);
    if (!idle_arenas.empty()) {
      const unsigned arena = idle_arenas.back();
      idle_arenas.pop_back();
      return arena;
    }
  }
  extent_hooks_t* hooks = &unshared_hooks;
  unsigned arena = 0;
  size_t size = sizeof arena;
  making_arena = true;
  const bool made = mallctl("arenas.create", &arena, &size, &hooks, sizeof hooks) == 0;
  making_arena = false;
  return made ? arena : 0;
}

}  // namespace

bool use_for_this_thread() {
  if (!hooks_ready()) return false;
  if (thread_arena.index != 0) return true;  // already
  // An arena per thread, as jemalloc gives each thread its own: threads
  // sharing one would contend for its locks.
  unsigned arena = take_arena();
  if (arena == 0) return false;
  if (mallctl("thread.arena", nullptr, nullptr, &arena, sizeof arena) != 0) {
    std::lock_guard lock(idle_mutex);
    idle_arenas.push_back(arena);
    return false;
  }
  thread_arena.index = arena;
  return true;
}

void keep_thread_to_its_arena() {
  if (mallctl == nullptr) return;
  bool enabled = false;
  mallctl("thread.tcache.enabled", nullptr, nullptr, &enabled, sizeof enabled);
}

}  // namespace zg::unshared_heap
