// The wall clock as the commands read it: whole seconds since the Unix
// epoch. One definition for the commands that need it (token expiries, the
// demo's tokens and example dates, a simulated day's date and its commands
// dated when sent), not a copy in each.
#pragma once

#include <chrono>
#include <cstdint>

namespace zg::cli {

inline int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace zg::cli
