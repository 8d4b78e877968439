// Placeholder: zonegate serve (being written).
#include <cstdio>

#include "cli/commands.h"

namespace zg::cli {
int serve_command(const Args&) {
  std::fputs("zonegate serve: not built yet\n", stderr);
  return 2;
}
}  // namespace zg::cli
