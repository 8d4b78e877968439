// zonegate mrz parse: reads a machine-readable zone (ICAO 9303 TD1, TD2 or
// TD3) from standard input and prints every field and check as JSON.
// Exit 0 when the zone is valid, 1 when it is not (a check digit or a
// field's form), 2 when the lines are no MRZ at all or on a usage error.
#include <cstdio>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "gate/mrz.h"

namespace zg::cli {

int mrz_command(const Args& args) {
  if (args.size() != 1 || args[0] != "parse") {
    std::fputs("usage: zonegate mrz parse < LINES   (2 or 3 MRZ lines on standard input)\n",
               stderr);
    return 2;
  }
  std::vector<std::string> lines;
  for (std::string line; std::getline(std::cin, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) lines.push_back(line);
    if (lines.size() > 3) break;  // no format has more
  }
  Result<gate::Mrz> mrz = gate::parse_mrz(lines);
  if (!mrz.is_ok()) {
    std::fprintf(stderr, "zonegate mrz parse: %s\n", mrz.status().first().message.c_str());
    return 2;
  }
  std::printf("%s\n", gate::mrz_json(*mrz).c_str());
  return mrz->valid() ? 0 : 1;
}

}  // namespace zg::cli
