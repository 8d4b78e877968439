#include "core/populate.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

namespace zg {

bool populate_for_writing(void* memory, size_t bytes) {
  static const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t from = (reinterpret_cast<uintptr_t>(memory) + page - 1) & ~(page - 1);
  const uintptr_t to = (reinterpret_cast<uintptr_t>(memory) + bytes) & ~(page - 1);
  if (to <= from) return true;
  return madvise(reinterpret_cast<void*>(from), to - from, MADV_POPULATE_WRITE) == 0;
}

}  // namespace zg
