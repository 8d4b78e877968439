// What the fuzz targets share: a property check that stops the run (libFuzzer
// keeps the input as a crash; the replayer fails its test), and where the
// Hengqin pack and a scratch directory are.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

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
// one. Left behind on purpose: a crash's files help to read it.
inline std::string scratch_directory(const char* name) {
  std::string base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  std::string path = base + "/zg-fuzz-" + name + "-XXXXXX";
  check(mkdtemp(path.data()) != nullptr, "a scratch directory can be made", path);
  return path;
}

}  // namespace zg::fuzz
