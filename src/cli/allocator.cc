// Memory allocation settings for the zonegate binary.
//
// zonegate links jemalloc (Debian's libjemalloc). jemalloc reads this
// symbol at start-up. Transparent huge pages matter here: the engine's state
// grows by a kilobyte or so per command, and on 4 KiB pages the page faults
// cost more than the customs work (bench/run_throughput.sh measured 110k
// commands/s on glibc malloc, 166k with jemalloc and huge pages).
// Sanitizer builds keep their own allocator and leave this out.
extern "C" {
// NOLINTNEXTLINE: jemalloc's documented name for compiled-in options.
const char* malloc_conf = "thp:always,metadata_thp:always";
}
