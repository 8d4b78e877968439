// A double as C's hexadecimal floating text ("%a"): exact, so a model written
// and read back scores the same to the last bit.
#pragma once

#include <cstdio>
#include <string>

namespace zg::risk {

inline std::string hex_float(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%a", v);
  return buffer;
}

}  // namespace zg::risk
