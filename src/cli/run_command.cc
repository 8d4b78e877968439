// zonegate run and zonegate book: feed a JSON Lines file to the engine.
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

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

// Commands travel from the reading thread to the engine's in batches: a
// handful of batches in flight keeps both cores busy and the memory small.
constexpr size_t kBatchCommands = 512;
constexpr size_t kBatchesInFlight = 4;

struct Batch {
  std::vector<PreparedCommand> commands{kBatchCommands};
  size_t count = 0;
  bool ready = false;  // filled by the reader, not yet applied
  bool last = false;   // the input ends after this batch
};

// The reading side: reads lines, skips blank ones, and prepares each command
// (parse, canonical form, digest) on its own thread, filling batches in turn.
class Reader {
 public:
  Reader(std::FILE* in, std::vector<Batch>& batches, std::mutex& mutex,
         std::condition_variable& changed)
      : lines_(in, kCommandBytesMax), batches_(batches), mutex_(mutex), changed_(changed) {}

  void run() {
    std::string_view line;
    bool oversize = false;
    size_t oversize_bytes = 0;
    int64_t line_number = 0;
    for (size_t slot = 0;; slot = (slot + 1) % batches_.size()) {
      Batch& batch = batches_[slot];
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return !batch.ready; });
      }
      batch.count = 0;
      bool more = true;
      while (batch.count < kBatchCommands && (more = lines_.next(line, oversize, oversize_bytes))) {
        ++line_number;
        if (!oversize && line.find_first_not_of(" \t") == std::string_view::npos) continue;
        PreparedCommand& command = batch.commands[batch.count++];
        if (oversize) {
          command.line_number = line_number;
          command.bytes = oversize_bytes;
        } else {
          Engine::prepare(line, line_number, command);
        }
      }
      {
        std::lock_guard lock(mutex_);
        batch.ready = true;
        batch.last = !more;
      }
      changed_.notify_all();
      if (!more) return;
    }
  }
  bool failed() const { return lines_.failed(); }

 private:
  LineReader lines_;
  std::vector<Batch>& batches_;
  std::mutex& mutex_;
  std::condition_variable& changed_;
};

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
  std::vector<Batch> batches(kBatchesInFlight);
  std::mutex mutex;
  std::condition_variable changed;
  Reader reader(in, batches, mutex, changed);
  std::thread reading([&] { reader.run(); });

  std::string buffer;
  buffer.reserve(1 << 21);
  int64_t commands = 0, accepted = 0;
  for (size_t slot = 0;; slot = (slot + 1) % batches.size()) {
    Batch& batch = batches[slot];
    {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return batch.ready; });
    }
    for (size_t i = 0; i < batch.count; ++i) {
      const std::string_view result = engine.apply(batch.commands[i]);
      ++commands;
      if (engine.last_accepted()) ++accepted;
      if (out != nullptr) {
        buffer += result;
        buffer += '\n';
      }
    }
    if (out != nullptr && buffer.size() >= (1 << 20)) {
      std::fwrite(buffer.data(), 1, buffer.size(), out);
      buffer.clear();
    }
    if (progress && commands % (1 << 16) < static_cast<int64_t>(batch.count)) {
      std::fprintf(stderr, "\rzonegate run: %lld commands...", static_cast<long long>(commands));
    }
    const bool last = batch.last;
    {
      std::lock_guard lock(mutex);
      batch.ready = false;
    }
    changed.notify_all();
    if (last) break;
  }
  reading.join();
  if (out != nullptr) {
    std::fwrite(buffer.data(), 1, buffer.size(), out);
    std::fflush(out);
  }
  if (progress && commands >= (1 << 16)) std::fputs("\n", stderr);
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
