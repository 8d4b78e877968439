// Making fresh memory ahead of its first writes, in one call.
//
// On the VMs Zonegate runs on, a page's first write costs a fault that
// takes about 11 us (zonegate_bench_first_touch); asking the kernel to
// supply a whole range at once (MADV_POPULATE_WRITE, Linux 5.14) costs
// about half that a page, since the trap in and out is paid once. For
// chunks of memory the engine is about to fill: the tables that grow with
// every command.
#pragma once

#include <cstddef>

namespace zg {

// Supplies the whole pages inside [memory, memory + bytes) now, as writes
// would; their contents do not change. A hint: where the kernel refuses
// (older kernels, no memory to spare now) it returns false, and the pages
// come at their first writes as before. True when there is no whole page.
bool populate_for_writing(void* memory, size_t bytes);

}  // namespace zg
