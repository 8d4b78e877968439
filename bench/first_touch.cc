// What a fresh page costs on this machine, against writing memory already
// touched: the baseline for reading figures of the engine's memory-heavy
// runs (replay, run --data), whose state grows about a kilobyte a command.
//
//   zonegate_bench_first_touch [MiB]     (default 1200, a 1M-command replay's state)
//
// Maps MiB of anonymous memory (the system's pages, as the engine's state
// gets them: src/cli/allocator.cc), writes every byte twice and prints
// both rates and their ratio; then, on another fresh mapping, supplies its
// pages in one call of 2 MiB at a time (core/populate.h, as the engine's
// growing tables now do) before writing it, and prints that against the
// first write. Three rounds, each on fresh mappings. On a
// bare machine the first write costs a few times the second (the kernel
// zeroes each page); in a VM whose host reclaims the guest's free memory
// it can cost 20x, and that cost lands on whichever thread touches the
// page first.
#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/populate.h"

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const long mib = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 1200;
  if (mib <= 0 || mib > (1 << 20)) {
    std::fprintf(stderr, "usage: zonegate_bench_first_touch [MiB]\n");
    return 2;
  }
  const size_t bytes = static_cast<size_t>(mib) << 20;
  for (int round = 1; round <= 3; ++round) {
    void* mapped = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) {
      std::perror("mmap");
      return 1;
    }
    char* memory = static_cast<char*>(mapped);
    auto start = std::chrono::steady_clock::now();
    std::memset(memory, 1, bytes);
    const double first = seconds_since(start);
    start = std::chrono::steady_clock::now();
    std::memset(memory, 2, bytes);
    const double again = seconds_since(start);
    const double gb = static_cast<double>(bytes) / 1e9;
    std::printf(
        "round %d, %ld MiB: first write %.3f s (%.2f GB/s), again %.3f s (%.2f GB/s): %.1fx\n",
        round, mib, first, gb / first, again, gb / again, first / again);
    munmap(mapped, bytes);

    mapped = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) {
      std::perror("mmap");
      return 1;
    }
    memory = static_cast<char*>(mapped);
    start = std::chrono::steady_clock::now();
    constexpr size_t kStep = size_t{2} << 20;
    for (size_t at = 0; at < bytes; at += kStep) {
      zg::populate_for_writing(memory + at, std::min(kStep, bytes - at));
    }
    std::memset(memory, 1, bytes);
    const double populated = seconds_since(start);
    std::printf("  populated, then written: %.3f s (%.2f GB/s): %.2fx the first write's speed\n",
                populated, gb / populated, first / populated);
    munmap(mapped, bytes);
  }
  return 0;
}
