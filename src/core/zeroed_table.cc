#include "core/zeroed_table.h"

#include <sys/mman.h>

#include <cstdlib>
#include <new>

namespace zg::zeroed_memory {

void* take(size_t bytes, ForkedChildren children) {
  if (bytes < kMappedBytes) {
    void* memory = std::calloc(bytes, 1);
    if (memory == nullptr) throw std::bad_alloc();
    return memory;
  }
  void* memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) throw std::bad_alloc();
  // Hints: refused or unsupported, the table works on small pages, or is
  // inherited by a child that does not read it.
  madvise(memory, bytes, MADV_HUGEPAGE);
  if (children == ForkedChildren::kDoNotInherit) madvise(memory, bytes, MADV_DONTFORK);
  return memory;
}

void give_back(void* memory, size_t bytes) {
  if (bytes < kMappedBytes) {
    std::free(memory);
  } else {
    munmap(memory, bytes);
  }
}

}  // namespace zg::zeroed_memory
