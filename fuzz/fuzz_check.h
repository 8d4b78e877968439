// What the fuzz targets share: a property check that stops the run (libFuzzer
// keeps the input as a crash; the replayer fails its test), and where the
// Hengqin pack and a scratch directory are.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace zg::fuzz {

// Stops the run when a property does not hold, saying which.
inline void check(bool holds, const char* property, std::string_view detail = {}) {
  if (holds) return;
  const std::string text(detail);  // never a null pointer for %s
  std::fprintf(stderr, "property broken: %s\n%s\n", property, text.c_str());
  std::abort();
}

inline std::string hengqin_pack() {
  return std::string(ZG_SOURCE_DIR) + "/policies/hengqin";
}

// A fresh directory for a target's files: in memory (/dev/shm) where there is
// one. Removed when the run ends normally; after a crash it is left, since
// its files help to read the crash.
inline std::string scratch_directory(const char* name) {
  static std::vector<std::string> made;
  std::string base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  std::string path = base + "/zg-fuzz-" + name + "-XXXXXX";
  check(mkdtemp(path.data()) != nullptr, "a scratch directory can be made", path);
  if (made.empty()) {
    std::atexit([] {
      std::error_code ignored;
      for (const std::string& dir : made) std::filesystem::remove_all(dir, ignored);
    });
  }
  made.push_back(path);
  return path;
}

}  // namespace zg::fuzz
