// What the end-to-end tests share: the binary under test, the Hengqin pack,
// and running a shell command for its output and exit code.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/json.h"

namespace zg::test {

inline const std::string kBinary = ZG_BINARY;
inline const std::string kSource = ZG_SOURCE_DIR;
inline const std::string kPack = kSource + "/policies/hengqin";

struct Outcome {
  int exit_code = -1;
  std::string out;  // standard output
};

// Runs `command` with the shell; its standard output and exit code.
inline Outcome run(const std::string& command) {
  Outcome result;
  std::FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 65536> buffer;
  size_t got = 0;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    result.out.append(buffer.data(), got);
  }
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// Runs zonegate with `arguments` (shell syntax: redirections allowed).
inline Outcome zonegate(const std::string& arguments) {
  return run(kBinary + " " + arguments);
}

// The non-empty lines of `text`.
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// `json` in its canonical form (RFC 8785); text that is not JSON as it is.
// An answer read back from the journal (a repeat after a restart) has its
// members in that order, so answers are compared as JSON: every member and
// value, not the order of an object's members.
inline std::string canonical(const std::string& json) {
  JsonDocument document;
  if (!document.parse(json).is_ok()) return json;
  std::string out;
  append_canonical_json(out, document.root());
  return out;
}
inline std::vector<std::string> canonical_lines(const std::string& text) {
  std::vector<std::string> lines = lines_of(text);
  for (std::string& line : lines) line = canonical(line);
  return lines;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace zg::test
