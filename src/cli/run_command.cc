// zonegate run and zonegate book: feed a JSON Lines file to the engine.
#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/line_reader.h"
#include "engine/engine.h"
#include "policy/pack_loader.h"

namespace zg::cli {
namespace {

struct RunOptions {
  std::string pack;
  std::string input;
  std::string uscc;  // book only
  bool stats = false;
};

constexpr size_t kTypicalCommandBytes = 300;

bool parse_options(const Args& args, bool want_uscc, RunOptions& options) {
  std::vector<std::string_view> positional;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--pack" && i + 1 < args.size()) {
      options.pack = std::string(args[++i]);
    } else if (args[i] == "--stats") {
      options.stats = true;
    } else if (args[i].size() > 1 && args[i][0] == '-' && args[i] != "-") {
      std::fprintf(stderr, "zonegate: unknown option %s\n", std::string(args[i]).c_str());
      return false;
    } else {
      positional.push_back(args[i]);
    }
  }
  const size_t want = want_uscc ? 2 : 1;
  if (options.pack.empty() || positional.size() != want) return false;
  options.input = std::string(positional[0]);
  if (want_uscc) options.uscc = std::string(positional[1]);
  return true;
}

// Runs every line of the input through `engine`, writing results to `out`
// (or nowhere when out is null). Returns false on an I/O error.
bool feed(Engine& engine, const RunOptions& options, std::FILE* out) {
  std::FILE* in = options.input == "-" ? stdin : std::fopen(options.input.c_str(), "rb");
  if (in == nullptr) {
    std::fprintf(stderr, "zonegate: cannot open %s: %s\n", options.input.c_str(),
                 std::strerror(errno));
    return false;
  }
  const bool progress = isatty(STDERR_FILENO) && out != nullptr && out != stderr;
  // A file's size tells roughly how many commands it holds (a few hundred
  // bytes each): size the engine's maps once instead of rehashing as they grow.
  if (in != stdin && std::fseek(in, 0, SEEK_END) == 0) {
    const long bytes = std::ftell(in);
    std::rewind(in);
    if (bytes > 0) engine.reserve(static_cast<size_t>(bytes) / kTypicalCommandBytes);
  }
  const auto started = std::chrono::steady_clock::now();
  LineReader reader(in, kCommandBytesMax);
  std::string buffer;
  buffer.reserve(1 << 21);
  std::string_view line;
  bool oversize = false;
  size_t oversize_bytes = 0;
  int64_t line_number = 0, commands = 0, accepted = 0;
  while (reader.next(line, oversize, oversize_bytes)) {
    ++line_number;
    std::string_view result;
    std::string oversize_answer;
    if (oversize) {
      oversize_answer = Engine::oversize_result(oversize_bytes, line_number);
      result = oversize_answer;
    } else {
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank line
      result = engine.execute(line, line_number);
    }
    ++commands;
    if (!oversize && engine.last_accepted()) ++accepted;
    if (out != nullptr) {
      buffer += result;
      buffer += '\n';
      if (buffer.size() >= (1 << 20)) {
        std::fwrite(buffer.data(), 1, buffer.size(), out);
        buffer.clear();
      }
    }
    if (progress && (commands & 0xFFFF) == 0) {
      std::fprintf(stderr, "\rzonegate run: %lld commands...", static_cast<long long>(commands));
    }
  }
  if (out != nullptr) {
    std::fwrite(buffer.data(), 1, buffer.size(), out);
    std::fflush(out);
  }
  if (progress && commands > 0xFFFF) std::fputs("\n", stderr);
  const bool failed = reader.failed();
  if (in != stdin) std::fclose(in);
  if (failed) {
    std::fprintf(stderr, "zonegate: error reading %s\n", options.input.c_str());
    return false;
  }
  if (options.stats) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::fprintf(stderr,
                 "zonegate run: %lld commands (%lld accepted, %lld rejected) in %.3f s: %.0f "
                 "commands/s\n",
                 static_cast<long long>(commands), static_cast<long long>(accepted),
                 static_cast<long long>(commands - accepted), seconds,
                 seconds > 0 ? static_cast<double>(commands) / seconds : 0.0);
  }
  return true;
}

bool load_pack(const std::string& dir, PolicyPack& pack) {
  Result<PolicyPack> loaded = load_policy_pack(dir);
  if (!loaded.is_ok()) {
    std::fprintf(stderr, "zonegate: the policy pack %s has errors:\n", dir.c_str());
    for (const Error& e : loaded.status().errors()) {
      std::fprintf(stderr, "%s: %s\n", e.field.c_str(), e.message.c_str());
    }
    return false;
  }
  pack = std::move(loaded).value();
  return true;
}

}  // namespace

int run_command(const Args& args) {
  RunOptions options;
  if (!parse_options(args, false, options)) {
    std::fputs("usage: zonegate run --pack DIR [--stats] FILE.jsonl|-\n", stderr);
    return 2;
  }
  // Both live until the process ends and are never torn down: freeing
  // millions of lots one by one would take longer than the run's own work,
  // and the operating system reclaims the memory at once. (Held by static
  // pointers so leak checkers see them as reachable.)
  static PolicyPack* pack = new PolicyPack();
  if (!load_pack(options.pack, *pack)) return 2;
  static Engine* engine = new Engine(*pack);
  return feed(*engine, options, stdout) ? 0 : 2;
}

int book_command(const Args& args) {
  RunOptions options;
  if (!parse_options(args, true, options)) {
    std::fputs("usage: zonegate book --pack DIR FILE.jsonl|- USCC\n", stderr);
    return 2;
  }
  PolicyPack pack;
  if (!load_pack(options.pack, pack)) return 2;
  Engine engine(pack);
  if (!feed(engine, options, nullptr)) return 2;
  Result<std::string> book = engine.book_json(options.uscc);
  if (!book.is_ok()) {
    std::fprintf(stderr, "zonegate book: %s\n", book.status().first().message.c_str());
    return 1;
  }
  std::fputs(book->c_str(), stdout);
  std::fputs("\n", stdout);
  return 0;
}

}  // namespace zg::cli
