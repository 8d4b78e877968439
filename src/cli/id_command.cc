#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "core/identifiers.h"
#include "gate/container.h"

namespace zg::cli {

int id_command(const Args& args) {
  if (args.size() != 3 || args[0] != "check") {
    std::fputs("usage: zonegate id check uscc|resident-id|hs|container VALUE\n", stderr);
    return 2;
  }
  const std::string_view kind = args[1];
  const std::string_view value = args[2];
  Status status;
  if (kind == "uscc") {
    status = validate_uscc(value);
  } else if (kind == "resident-id") {
    status = validate_resident_id(value);
  } else if (kind == "hs") {
    status = validate_hs_code(value);
  } else if (kind == "container") {
    status = gate::validate_container(value);  // ISO 6346
  } else {
    std::fprintf(stderr,
                 "zonegate id check: unknown kind \"%s\" (uscc, resident-id, hs, container)\n",
                 std::string(kind).c_str());
    return 2;
  }
  if (status.is_ok()) {
    std::puts("valid");
    return 0;
  }
  std::printf("invalid: %s\n", status.first().message.c_str());
  return 1;
}

}  // namespace zg::cli
