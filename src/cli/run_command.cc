// zonegate run, book, replay and verify: feed a JSON Lines file to the
// engine, in memory or durably (--data), and read a data directory back.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "cli/commands.h"
#include "cli/line_reader.h"
#include "core/thread_name.h"
#include "durable/committer.h"
#include "durable/data_dir.h"
#include "durable/journal_results.h"
#include "engine/engine.h"
#include "engine/journal_entry.h"
#include "policy/pack_loader.h"

namespace zg::cli {
namespace {

// A run without --data keeps no zone, so its credential key lives and dies
// with the process (the contract: "a key for that run only").
std::shared_ptr<const gate::SigningKey> run_signing_key() {
  return std::make_shared<const gate::SigningKey>(gate::SigningKey::generate());
}

// Commands travel from the reading thread to the engine's in batches of
// this many.
constexpr size_t kBatchCommands = 512;
// A durable run's transactions hold at most this many commands by default.
constexpr size_t kGroupCommitMax = 4096;
constexpr size_t kGroupCommitLimit = 65536;   // the most --commit-max accepts
constexpr uint64_t kSnapshotEvery = 100'000;  // default of --snapshot-every

struct RunOptions {
  std::string pack;
  std::string data;   // the data directory of the durable engine
  std::string store;  // --store: where a new data directory keeps its journal
  std::string input;
  std::string uscc;  // book only
  bool stats = false;
  // Most commands per journal transaction (group commit). 1 gives one
  // transaction per command, the baseline the group commit is measured against.
  size_t commit_max = kGroupCommitMax;
  // A durable run ends with a snapshot when the journal grew by this many
  // commands since the newest snapshot.
  uint64_t snapshot_every = kSnapshotEvery;
};

// The durable engine's side of a run: the journal and the hash of the pack
// that decides the new commands.
struct Journaling {
  JournalStore* journal = nullptr;
  std::string pack_hash;
  AuditLog* audit = nullptr;  // the Merkle log, fed each commit
};

constexpr size_t kTypicalCommandBytes = 300;

bool parse_options(const Args& args, bool want_uscc, RunOptions& options) {
  std::vector<std::string_view> positional;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--pack" && i + 1 < args.size()) {
      options.pack = std::string(args[++i]);
    } else if (args[i] == "--data" && i + 1 < args.size()) {
      options.data = std::string(args[++i]);
    } else if (args[i] == "--store" && i + 1 < args.size()) {
      options.store = std::string(args[++i]);
    } else if (args[i] == "--commit-max" && i + 1 < args.size()) {
      const long value = std::atol(std::string(args[++i]).c_str());
      if (value < 1 || value > static_cast<long>(kGroupCommitLimit)) {
        std::fprintf(stderr, "zonegate: --commit-max takes 1 to %zu\n", kGroupCommitLimit);
        return false;
      }
      options.commit_max = static_cast<size_t>(value);
    } else if (args[i] == "--snapshot-every" && i + 1 < args.size()) {
      const long value = std::atol(std::string(args[++i]).c_str());
      if (value < 1) {
        std::fputs("zonegate: --snapshot-every takes a positive number of commands\n", stderr);
        return false;
      }
      options.snapshot_every = static_cast<uint64_t>(value);
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
  if (!options.store.empty() && options.data.empty()) {
    std::fputs("zonegate: --store goes with --data (the store of a data directory)\n", stderr);
    return false;
  }
  options.input = std::string(positional[0]);
  if (want_uscc) options.uscc = std::string(positional[1]);
  return true;
}

// A handful of batches in flight keeps both cores busy and the memory small.
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
// (or nowhere when out is null). With `journaling`, each batch's new
// commands are committed to the journal (one transaction, fsynced) before
// any of the batch's results is written: group commit. Returns false on an
// I/O error, after which nothing uncommitted has been answered.
bool feed(Engine& engine, const RunOptions& options, std::FILE* out,
          const Journaling* journaling = nullptr) {
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
  std::thread reading([&] {
    name_this_thread("zg-read");
    reader.run();
  });

  std::string buffer;
  buffer.reserve(1 << 21);
  // The last command committed, as the committer says; the engine lets go
  // of older results than the latest kRecentResultsKept once they are (a
  // repeat of one reads its row), as a server does. Declared before the
  // committer, whose thread writes it until the committer is gone.
  std::atomic<uint64_t> durable{0};
  // With a journal, each batch goes to the committer, which answers it once
  // it is durable; without, answers are written in large blocks.
  std::unique_ptr<Committer> committer;
  if (journaling != nullptr) {
    // SQLite checkpoints inside the commits here, unlike a server's
    // (zone.cc): no one waits for an answer, and a checkpoint thread on
    // these two busy cores made 1M commands no faster (README).
    committer =
        std::make_unique<Committer>(*journaling->journal, journaling->pack_hash, out,
                                    options.commit_max, Committer::Observer{}, journaling->audit);
  }
  std::vector<PendingEntry> pending;
  const auto submit = [&] {
    std::string answers;
    answers.swap(buffer);
    const uint64_t seq = engine.state().last_seq;
    const bool queued =
        committer->submit(std::move(pending), std::move(answers), [&durable, seq](const Status& s) {
          if (s.is_ok()) durable = seq;
        });
    pending = {};
    engine.release_results(durable.load(), DataDir::kRecentResultsKept);
    return queued;
  };
  bool refused = false;  // a commit failed: stop
  int64_t commands = 0, accepted = 0;
  for (size_t slot = 0;; slot = (slot + 1) % batches.size()) {
    Batch& batch = batches[slot];
    {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return batch.ready; });
    }
    for (size_t i = 0; i < batch.count && !refused; ++i) {
      const PreparedCommand& command = batch.commands[i];
      const std::string_view result = engine.apply(command);
      ++commands;
      if (engine.last_accepted()) ++accepted;
      if (committer != nullptr && engine.last_new()) {
        pending.push_back(PendingEntry{engine.state().last_seq, command.canonical, result});
      }
      if (out != nullptr) {
        buffer += result;
        buffer += '\n';
      }
      if (committer != nullptr && pending.size() >= options.commit_max) refused = !submit();
    }
    if (committer != nullptr && !refused) {
      refused = !submit();
      pending.reserve(kBatchCommands);
    }
    if (refused) {
      // Stop at once: nothing more will be answered, and the reader may be
      // waiting on an input that never ends. What was committed has been
      // answered; the process ends with the rest (a restart replays).
      std::fprintf(stderr, "zonegate: the journal refused a batch, stopping: %s\n",
                   committer->finish().first().message.c_str());
      std::fflush(stdout);
      std::_Exit(2);
    }
    if (committer == nullptr && out != nullptr && buffer.size() >= (1 << 20)) {
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
  if (committer != nullptr) {
    Status status = committer->finish();
    if (!status.is_ok()) {
      std::fprintf(stderr, "zonegate: the journal refused a batch, stopping: %s\n",
                   status.first().message.c_str());
      return false;
    }
  } else if (out != nullptr) {
    std::fwrite(buffer.data(), 1, buffer.size(), out);
    if (std::fflush(out) != 0 || std::ferror(out)) {
      std::fprintf(stderr, "zonegate: cannot write the results (output full or closed)\n");
      return false;
    }
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

int run_durable(const RunOptions& options) {
  std::unique_ptr<DataDir> dir;
  Result<DataDir::Replayed> replayed =
      open_and_replay(options.data, true, dir, true, /*use_snapshots=*/true,
                      store_named_by_pack(options.store, options.pack), /*take_shared=*/false,
                      /*writer=*/"zonegate run");
  if (!replayed.is_ok()) return report(replayed.status());
  Result<std::string> hash = dir->keep_pack(options.pack);
  if (!hash.is_ok()) return report(hash.status());
  Result<const PolicyPack*> pack = dir->pack(*hash);
  if (!pack.is_ok()) return report(pack.status());
  Status named = dir->journal().put_meta("last_pack", *hash);  // the pack of the next commands
  if (!named.is_ok()) return report(named);
  std::unique_ptr<Engine> engine = std::move(replayed).value().engine;
  if (engine == nullptr) {
    engine = std::make_unique<Engine>(**pack);
    engine->set_signing_key(dir->signing_key());
  } else {
    engine->set_pack(**pack);
  }
  // For repeats of commands whose results it has let go of (feed()).
  if (!engine->has_result_reader()) {
    engine->set_result_reader(journal_result_reader(dir->path(), dir->store()));
  }
  Result<AuditLog*> audit = dir->audit_log((*pack)->zone_id);
  if (!audit.is_ok()) return report(audit.status());
  const Journaling journaling{&dir->journal(), *hash, *audit};
  const bool ok = feed(*engine, options, stdout, &journaling);
  // Every run ends on a signed tree head of the whole journal.
  if (ok && (*audit)->size() > 0) {
    Result<audit::TreeHead> head = (*audit)->sign_now(wall_clock_ms());
    if (!head.is_ok()) report(head.status());
  }
  // A snapshot every so many commands keeps restarts short.
  if (ok && engine->state().last_seq >= dir->newest_snapshot_seq() + options.snapshot_every) {
    Status status = dir->snapshot(*engine, *hash);
    if (!status.is_ok()) report(status);  // the journal has everything; only restarts slow down
  }
  // As for the in-memory run: the state is left to the operating system
  // (held by static pointers, so leak checkers see it as reachable).
  static Engine* kept_engine = engine.release();
  static DataDir* kept_dir = dir.release();
  (void)kept_engine;
  (void)kept_dir;
  return ok ? 0 : 2;
}

}  // namespace

int run_command(const Args& args) {
  RunOptions options;
  if (!parse_options(args, false, options)) {
    std::fputs(
        "usage: zonegate run --pack DIR [--data DIR [--store "
        "sqlite|postgresql://USER@HOST:PORT/DB]\n"
        "                    [--commit-max N] [--snapshot-every N]] [--stats] FILE.jsonl|-\n",
        stderr);
    return 2;
  }
  if (!options.data.empty()) return run_durable(options);
  // Both live until the process ends and are never torn down: freeing
  // millions of lots one by one would take longer than the run's own work,
  // and the operating system reclaims the memory at once. (Held by static
  // pointers so leak checkers see them as reachable.)
  static PolicyPack* pack = new PolicyPack();
  if (!load_pack(options.pack, *pack)) return 2;
  static Engine* engine = new Engine(*pack);
  engine->set_signing_key(run_signing_key());
  return feed(*engine, options, stdout) ? 0 : 2;
}

int book_command(const Args& args) {
  RunOptions options;
  const bool durable = std::find(args.begin(), args.end(), "--data") != args.end();
  if (durable) {
    // zonegate book --data DIR USCC
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i] == "--data" && i + 1 < args.size()) {
        options.data = std::string(args[++i]);
      } else {
        options.uscc = std::string(args[i]);
      }
    }
    if (options.data.empty() || options.uscc.empty()) {
      std::fputs("usage: zonegate book --data DIR USCC\n", stderr);
      return 2;
    }
    std::unique_ptr<DataDir> dir;
    Result<DataDir::Replayed> replayed = open_and_replay(options.data, false, dir, true);
    if (!replayed.is_ok()) return report(replayed.status());
    if (replayed->engine == nullptr) {
      std::fprintf(stderr, "zonegate book: the journal in %s is empty\n", options.data.c_str());
      return 1;
    }
    Result<std::string> book = replayed->engine->book_json(options.uscc);
    if (!book.is_ok()) {
      std::fprintf(stderr, "zonegate book: %s\n", book.status().first().message.c_str());
      return 1;
    }
    std::printf("%s\n", book->c_str());
    return 0;
  }
  if (!parse_options(args, true, options)) {
    std::fputs(
        "usage: zonegate book --pack DIR FILE.jsonl|- USCC\n"
        "       zonegate book --data DIR USCC\n",
        stderr);
    return 2;
  }
  PolicyPack pack;
  if (!load_pack(options.pack, pack)) return 2;
  Engine engine(pack);
  engine.set_signing_key(run_signing_key());
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

// zonegate replay --data DIR and zonegate verify --data DIR: both rebuild
// the zone from its journal, checking every hash, sequence number and
// result; verify also checks every account book's invariants.
// Every stored tree head against the journal: its root recomputed from the
// rows' leaf hashes (which replay checked against the rows), its signature
// against the zone's key. A row edited on disk together with its leaf hash
// passes replay's hash check but not this. Returns the problems found.
size_t check_tree_heads(DataDir& dir, const std::string& zone) {
  Result<AuditLog*> audit = dir.audit_log(zone);
  if (!audit.is_ok()) {
    std::printf("audit log: %s\n", audit.status().first().message.c_str());
    return 1;
  }
  const std::vector<audit::TreeHead> heads = (*audit)->tree_heads();
  size_t problems = 0;
  for (const audit::TreeHead& head : heads) {
    if (head.size > (*audit)->size()) {
      std::printf("tree head of size %llu: the journal has only %llu rows\n",
                  static_cast<unsigned long long>(head.size),
                  static_cast<unsigned long long>((*audit)->size()));
      ++problems;
    } else if ((*audit)->root(head.size) != head.root) {
      std::printf("tree head of size %llu: the journal's root is %s, the signed root %s\n",
                  static_cast<unsigned long long>(head.size),
                  audit::hash_hex((*audit)->root(head.size)).c_str(),
                  audit::hash_hex(head.root).c_str());
      ++problems;
    }
    if (dir.signing_key() != nullptr &&
        !audit::verify_tree_head(head, dir.signing_key()->public_key()).is_ok()) {
      std::printf("tree head of size %llu: its signature does not hold\n",
                  static_cast<unsigned long long>(head.size));
      ++problems;
    }
  }
  std::printf("tree heads: %zu checked against the journal's Merkle tree\n", heads.size());
  return problems;
}

int replay_or_verify(const Args& args, bool verify) {
  const char* name = verify ? "verify" : "replay";
  if (args.size() != 2 || args[0] != "--data") {
    std::fprintf(stderr, "usage: zonegate %s --data DIR\n", name);
    return 2;
  }
  const auto started = std::chrono::steady_clock::now();
  std::unique_ptr<DataDir> dir;
  // Both go through the whole journal, whatever snapshots there are.
  Result<DataDir::Replayed> replayed =
      open_and_replay(std::string(args[1]), false, dir, true, /*use_snapshots=*/false);
  if (!replayed.is_ok()) {
    report(replayed.status());
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const Engine* engine = replayed->engine.get();
  size_t problems = 0;
  if (verify && engine != nullptr) {
    for (const auto& [uscc, book] : engine->state().books) {
      for (const std::string& problem : book.check_invariants()) {
        std::printf("invariant: %s\n", problem.c_str());
        ++problems;
      }
    }
  }
  std::printf(
      "%s: %llu commands replayed in %.3f s (%.0f commands/s); every hash, sequence "
      "number and result checked\n",
      name, static_cast<unsigned long long>(replayed->commands), seconds,
      seconds > 0 ? static_cast<double>(replayed->commands) / seconds : 0.0);
  if (engine != nullptr) {
    std::printf(
        "enterprises: %zu, last seq: %llu\nstate hash: %s\n", engine->state().enterprises.size(),
        static_cast<unsigned long long>(engine->state().last_seq), engine->state_hash().c_str());
  }
  if (verify && engine != nullptr) problems += check_tree_heads(*dir, engine->pack().zone_id);
  if (verify) {
    std::printf(problems == 0 ? "verify: ok\n" : "verify: %zu problem(s)\n", problems);
  }
  return problems == 0 ? 0 : 1;
}

int replay_command(const Args& args) {
  return replay_or_verify(args, false);
}
int verify_command(const Args& args) {
  return replay_or_verify(args, true);
}

// zonegate snapshot --data DIR: recovers the zone (from the newest snapshot
// and the journal after it) and writes a new snapshot.
int snapshot_command(const Args& args) {
  if (args.size() != 2 || args[0] != "--data") {
    std::fputs("usage: zonegate snapshot --data DIR\n", stderr);
    return 2;
  }
  const auto started = std::chrono::steady_clock::now();
  std::unique_ptr<DataDir> dir;
  Result<DataDir::Replayed> replayed =
      open_and_replay(std::string(args[1]), false, dir, true, /*use_snapshots=*/true, "",
                      /*take_shared=*/false, /*writer=*/"zonegate snapshot");
  if (!replayed.is_ok()) return report(replayed.status());
  if (replayed->engine == nullptr) {
    std::fputs("zonegate snapshot: the journal is empty; nothing to snapshot\n", stderr);
    return 1;
  }
  const double recovered =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  Result<std::string> pack_hash = dir->journal().get_meta("last_pack");
  if (!pack_hash.is_ok() || pack_hash->empty()) {
    std::fputs("zonegate snapshot: the data directory does not name its current pack\n", stderr);
    return 2;
  }
  Status status = dir->snapshot(*replayed->engine, *pack_hash);
  if (!status.is_ok()) return report(status);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "snapshot at seq %llu written; %.3f s in all, recovery %.3f s (from the snapshot at %llu "
      "and %llu journal rows)\nstate hash: %s\n",
      static_cast<unsigned long long>(replayed->engine->state().last_seq), seconds, recovered,
      static_cast<unsigned long long>(replayed->snapshot_seq),
      static_cast<unsigned long long>(replayed->commands), replayed->engine->state_hash().c_str());
  return 0;
}

}  // namespace zg::cli
