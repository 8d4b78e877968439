// zonegate demo gates: a Hengqin day at the gates (src/demo/gate_day.h), in
// two phases, through zonegate run like any other traffic.
//
//   zonegate demo gates prepare [OPTIONS] > prep.jsonl
//   zonegate run --pack P --data DIR prep.jsonl > prep.results.jsonl
//   zonegate demo gates day [OPTIONS] prep.jsonl prep.results.jsonl > day.jsonl
//   zonegate run --pack P --data DIR day.jsonl > day.results.jsonl
//   zonegate demo gates check day.jsonl day.results.jsonl
//
// OPTIONS: --pack DIR (policies/hengqin) --travellers N (30000) --cars N (400)
// --declarations N (600) --seed N --day YYYY-MM-DD (2024-09-02); `day` needs
// the same options as `prepare`.
#include <cstdio>
#include <fstream>
#include <string>

#include "cli/commands.h"
#include "demo/gate_day.h"
#include "policy/pack_loader.h"

namespace zg::cli {
namespace demo_cmd {  // this command's own names (commands.h says why)
namespace {

int usage() {
  std::fputs(
      "usage: zonegate demo gates prepare [--pack DIR] [--travellers N] [--cars N]\n"
      "                                   [--declarations N] [--seed N] [--day DATE]\n"
      "       zonegate demo gates day [the same options] PREPARED.jsonl RESULTS.jsonl\n"
      "       zonegate demo gates check DAY.jsonl RESULTS.jsonl\n",
      stderr);
  return 2;
}

bool read_lines(const std::string& path, std::vector<std::string>& lines) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "zonegate demo: cannot read %s\n", path.c_str());
    return false;
  }
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(std::move(line));
  }
  return true;
}

bool whole_number(std::string_view text, int64_t max, int64_t& out) {
  if (text.empty() || text.size() > 12) return false;
  out = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return out <= max;
}

// Reads the options; the rest of the arguments go to `files`.
bool parse(const Args& args, demo::GateDayOptions& options, std::string& pack,
           std::vector<std::string>& files) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view key = args[i];
    if (!key.starts_with("--")) {
      files.emplace_back(key);
      continue;
    }
    if (i + 1 >= args.size()) return false;
    const std::string_view value = args[++i];
    int64_t n = 0;
    if (key == "--pack") {
      pack = std::string(value);
    } else if (key == "--day") {
      Result<Date> day = parse_date(value);
      if (!day.is_ok()) return false;
      options.business.day = *day;
    } else if (!whole_number(value, 10'000'000, n)) {
      std::fprintf(stderr, "zonegate demo: %s wants a whole number\n", std::string(key).c_str());
      return false;
    } else if (key == "--travellers") {
      options.travellers = static_cast<int>(n);
    } else if (key == "--cars") {
      options.cars = static_cast<int>(n);
    } else if (key == "--declarations") {
      options.business.declarations = static_cast<int>(n);
    } else if (key == "--seed") {
      options.business.seed = static_cast<uint64_t>(n);
    } else {
      std::fprintf(stderr, "zonegate demo: unknown option %s\n", std::string(key).c_str());
      return false;
    }
  }
  return true;
}

void print(const std::vector<std::string>& lines) {
  for (const std::string& line : lines) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
  }
}

}  // namespace
}  // namespace demo_cmd

int demo_command(const Args& args) {
  using namespace demo_cmd;
  if (args.size() < 2 || args[0] != "gates") return usage();
  const std::string_view phase = args[1];
  demo::GateDayOptions options;
  std::string pack_dir = "policies/hengqin";
  std::vector<std::string> files;
  if (!parse(Args(args.begin() + 2, args.end()), options, pack_dir, files)) return usage();

  if (phase == "check") {
    if (files.size() != 2) return usage();
    std::vector<std::string> commands, results;
    if (!read_lines(files[0], commands) || !read_lines(files[1], results)) return 2;
    const demo::GateDayCheck check = demo::check_gate_day(results, commands.size());
    std::printf(
        "decisions %lld: open %lld, held or referred as expected %lld; other commands %lld\n",
        static_cast<long long>(check.decisions), static_cast<long long>(check.open),
        static_cast<long long>(check.stopped), static_cast<long long>(check.other_commands));
    for (const auto& [reason, count] : check.stopped_by_reason) {
      std::printf("  %-26s %lld\n", reason.c_str(), static_cast<long long>(count));
    }
    for (const std::string& mismatch : check.mismatches) {
      std::printf("NOT AS EXPECTED: %s\n", mismatch.c_str());
    }
    return check.ok() ? 0 : 1;
  }

  Result<PolicyPack> pack = load_policy_pack(pack_dir);
  if (!pack.is_ok()) {
    std::fprintf(stderr, "zonegate demo: the policy pack %s has errors (zonegate policy check)\n",
                 pack_dir.c_str());
    return 2;
  }
  if (phase == "prepare") {
    if (!files.empty()) return usage();
    print(demo::make_gate_preparation(*pack, options));
    return 0;
  }
  if (phase == "day") {
    if (files.size() != 2) return usage();
    std::vector<std::string> prepared, results;
    if (!read_lines(files[0], prepared) || !read_lines(files[1], results)) return 2;
    Result<std::vector<std::string>> day = demo::make_gate_day(*pack, options, prepared, results);
    if (!day.is_ok()) {
      std::fprintf(stderr, "zonegate demo: %s\n", day.status().first().message.c_str());
      return 2;
    }
    print(*day);
    return 0;
  }
  return usage();
}

}  // namespace zg::cli
