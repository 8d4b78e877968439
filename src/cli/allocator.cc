// Memory allocation settings for the zonegate binary.
//
// zonegate links jemalloc (Debian's libjemalloc). jemalloc reads this
// symbol at start-up. Transparent huge pages are left to the system's
// setting (thp:default), and jemalloc's own metadata does without them.
// The binary once asked for them everywhere (thp:always): on 4 KiB pages
// the page faults had cost more than the customs work. On this VM's kernel
// now, a fault that zeroes 2 MiB at once costs the engine more than it
// saves: without them `zonegate run` on a million commands went from
// 194,000–234,000 to 280,000–293,000 commands/s, its system time from
// 1.8–2.6 s to 0.5–0.6 s, and a replay was 1.23–1.31× as fast (README,
// "Speed", 2026-12-02). A system set to "always" still gives them.
// Sanitizer builds keep their own allocator and leave this out.
extern "C" {
// NOLINTNEXTLINE: jemalloc's documented name for compiled-in options.
const char* malloc_conf = "thp:default,metadata_thp:disabled";
}
