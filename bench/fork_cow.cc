// What a forked child costs the parent that keeps writing: the baseline for
// reading the server's figures with snapshots on (a snapshot is written by
// a child process; see core/unshared_heap.h).
//
//   zonegate_bench_fork_cow [MiB]     (default 256)
//
// Two threads each write 64 bytes into every 4 KiB page of their half of a
// MiB-sized block (touched first, huge pages advised), and the time per page
// is printed for three cases:
//   alone       no child;
//   child       a child that only sleeps holds the block: each page is copied
//               before the write (copy-on-write) and the TLBs of the CPUs the
//               process runs on are flushed;
//   unshared    the same child, the block marked MADV_DONTFORK (what
//               core/unshared_heap does for the HTTP and commit threads).
// On this VM (2026-11-30) a page cost 37-39 us with the child against
// 0.04-0.07 us alone: why the server's throughput fell by more than half
// while a snapshot's child lived.
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace {

constexpr size_t kPage = 4096;

// Two threads write the first 64 bytes of each page, one half each:
// seconds taken.
double write_every_page(char* block, size_t bytes) {
  const size_t half = bytes / 2;
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> writers;
  for (size_t from : {size_t{0}, half}) {
    writers.emplace_back([block, from, half] {
      for (size_t at = from; at < from + half; at += kPage) std::memset(block + at, 2, 64);
    });
  }
  for (std::thread& t : writers) t.join();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A child that sleeps until killed.
pid_t sleeping_child() {
  const pid_t child = fork();
  if (child < 0) {
    std::perror("fork");
    std::exit(1);
  }
  if (child == 0) {
    for (;;) pause();
  }
  return child;
}

void end_child(pid_t child) {
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
}

char* touched_block(size_t bytes, bool unshared) {
  void* mapped = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) {
    std::perror("mmap");
    std::exit(1);
  }
  madvise(mapped, bytes, MADV_HUGEPAGE);
  if (unshared) madvise(mapped, bytes, MADV_DONTFORK);
  std::memset(mapped, 1, bytes);
  return static_cast<char*>(mapped);
}

}  // namespace

int main(int argc, char** argv) {
  const long mib = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 256;
  if (mib <= 0 || mib > (1 << 20)) {
    std::fprintf(stderr, "usage: zonegate_bench_fork_cow [MiB (1..1048576)]\n");
    return 2;
  }
  const size_t bytes = static_cast<size_t>(mib) << 20;
  const double pages = static_cast<double>(bytes / kPage);

  char* shared = touched_block(bytes, false);
  const double alone = write_every_page(shared, bytes);
  pid_t child = sleeping_child();
  const double with_child = write_every_page(shared, bytes);
  end_child(child);
  munmap(shared, bytes);

  char* unshared = touched_block(bytes, true);
  child = sleeping_child();
  const double unshared_child = write_every_page(unshared, bytes);
  end_child(child);
  munmap(unshared, bytes);

  std::printf("%ld MiB, 2 threads writing every 4 KiB page once (time per page)\n", mib);
  std::printf("alone:              %9.3f us\n", 1e6 * alone / pages);
  std::printf("child (shared):     %9.3f us  %.0fx alone\n", 1e6 * with_child / pages,
              with_child / alone);
  std::printf("child (DONTFORK):   %9.3f us  %.1fx alone\n", 1e6 * unshared_child / pages,
              unshared_child / alone);
  return 0;
}
