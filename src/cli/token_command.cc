// Placeholder: zonegate token (being written).
#include <cstdio>

#include "cli/commands.h"

namespace zg::cli {
int token_command(const Args&) {
  std::fputs("zonegate token: not built yet\n", stderr);
  return 2;
}
}  // namespace zg::cli
