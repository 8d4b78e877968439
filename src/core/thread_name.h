// Names the calling thread, as `top -H`, `ps -L`, perf and gdb show it:
// zonegate's threads each have one job (HTTP I/O, the engine, the
// committer, ...), and a profile or a stuck process is read by thread.
#pragma once

namespace zg {

// `name` is at most 15 characters (Linux's limit; longer names are cut).
void name_this_thread(const char* name);

}  // namespace zg
