// zonegate simtest: the deterministic simulation (src/sim/simulation.h,
// docs/reliability.md) over a run of seeds.
//
//   zonegate simtest [--seeds N] [--from S] [--steps K] [--pack DIR] [--scratch DIR]
//   zonegate simtest --seed S [--steps K] ...     one seed again (a failure's replay)
//   ... --lying-fsync | --no-fence                 faults the simulation must catch
//
// Prints a line per seed (its faults and the invariant checks made) and a
// total; exit 1 when a seed broke an invariant, with the command that
// replays it.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "cli/commands.h"
#include "policy/pack_loader.h"
#include "sim/simulation.h"

namespace zg::cli {
namespace simtest_cmd {  // this command's own names (commands.h says why)
namespace {

const char kUsage[] =
    "usage: zonegate simtest [--seeds N] [--from S] [--steps K] [--pack DIR] [--scratch DIR]\n"
    "       zonegate simtest --seed S [--steps K] [--pack DIR] [--scratch DIR]\n"
    "the simulation's own tests, faults it must catch: --lying-fsync (a disk), --no-fence (a "
    "shard store)\n";

bool whole_number(std::string_view text, uint64_t& out) {
  if (text.empty() || text.size() > 18) return false;
  out = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<uint64_t>(c - '0');
  }
  return true;
}

std::string grouped(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

void print_seed(const sim::SeedReport& r) {
  std::printf(
      "seed %llu: %d steps, %s commands (%s sent again, %s answered as repeats), %s rows "
      "acknowledged; %s restarts (%s "
      "power losses, %s in a commit; %s sectors lost, %s kept), %s full disks, %s snapshots (%s "
      "damaged), %s of %s messages delivered; %s failovers (owner crashes %s, owner "
      "stops %s, fenced commits %s, steps without an owner %s); %s checks%s: %s\n",
      static_cast<unsigned long long>(r.seed), r.steps, grouped(r.commands).c_str(),
      grouped(r.retries).c_str(), grouped(r.repeats).c_str(), grouped(r.acknowledged).c_str(),
      grouped(r.restarts).c_str(), grouped(r.power_losses).c_str(),
      grouped(r.mid_commit_losses).c_str(), grouped(r.sectors_lost).c_str(),
      grouped(r.sectors_kept).c_str(), grouped(r.full_disks).c_str(), grouped(r.snapshots).c_str(),
      grouped(r.snapshots_damaged).c_str(), grouped(r.messages_delivered).c_str(),
      grouped(r.messages_sent).c_str(), grouped(r.failovers).c_str(),
      grouped(r.owner_crashes).c_str(), grouped(r.owner_pauses).c_str(),
      grouped(r.fenced_commits).c_str(), grouped(r.ownerless_steps).c_str(),
      grouped(r.checks).c_str(),
      r.day_unfinished ? " (the day did not fit its steps: no end-of-day check)" : "",
      r.passed() ? "ok" : ("FAILED, " + r.failure).c_str());
  std::fflush(stdout);
}

}  // namespace
}  // namespace simtest_cmd

int simtest_command(const Args& args) {
  using namespace simtest_cmd;
  uint64_t seeds = 20, from = 1;
  bool one_seed = false;
  sim::SimOptions options;
  options.pack_dir = "policies/hengqin";
  options.scratch_dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    const bool has_value = i + 1 < args.size();
    uint64_t n = 0;
    if (a == "--lying-fsync") {  // the simulation's own test: a disk that must be caught
      options.lying_fsync = true;
    } else if (a == "--no-fence") {  // and a shard store that must be caught
      options.fence = false;
    } else if (!has_value) {
      std::fprintf(stderr, "%s", kUsage);
      return 2;
    } else if (a == "--pack") {
      options.pack_dir = std::string(args[++i]);
    } else if (a == "--scratch") {
      options.scratch_dir = std::string(args[++i]);
    } else if (!whole_number(args[i + 1], n)) {
      std::fprintf(stderr, "zonegate simtest: %.*s needs a whole number, not \"%.*s\"\n%s",
                   static_cast<int>(a.size()), a.data(), static_cast<int>(args[i + 1].size()),
                   args[i + 1].data(), kUsage);
      return 2;
    } else if (a == "--seeds" && n >= 1) {
      seeds = n;
      ++i;
    } else if (a == "--from") {
      from = n;
      ++i;
    } else if (a == "--seed") {
      from = n;
      seeds = 1;
      one_seed = true;
      ++i;
    } else if (a == "--steps" && n >= 1 && n <= 100'000) {
      options.steps = static_cast<int>(n);
      ++i;
    } else {
      std::fprintf(stderr, "zonegate simtest: %.*s %.*s is not an option here\n%s",
                   static_cast<int>(a.size()), a.data(), static_cast<int>(args[i + 1].size()),
                   args[i + 1].data(), kUsage);
      return 2;
    }
  }
  Result<PolicyPack> pack = load_policy_pack(options.pack_dir);
  if (!pack.is_ok()) {
    std::fprintf(stderr, "zonegate simtest: the pack %s: %s (--pack DIR)\n",
                 options.pack_dir.c_str(), pack.status().first().message.c_str());
    return 2;
  }
  options.pack_dir = std::filesystem::absolute(options.pack_dir).string();
  std::error_code error;
  std::filesystem::create_directories(options.scratch_dir, error);
  // A directory of this run's own (two runs at once must not share seeds' directories).
  std::string scratch = options.scratch_dir + "/zg-simtest-XXXXXX";
  if (mkdtemp(scratch.data()) == nullptr) {
    std::fprintf(stderr, "zonegate simtest: cannot make a directory in %s (--scratch DIR)\n",
                 options.scratch_dir.c_str());
    return 2;
  }
  options.scratch_dir = scratch;

  std::printf("simtest: seed%s %llu%s, %d steps each, pack %s\n", one_seed ? "" : "s",
              static_cast<unsigned long long>(from),
              one_seed ? "" : ("-" + std::to_string(from + seeds - 1)).c_str(), options.steps,
              options.pack_dir.c_str());
  uint64_t passed = 0, checks = 0, commands = 0, power_losses = 0, failovers = 0, fenced = 0;
  std::string failed;
  for (uint64_t seed = from; seed < from + seeds; ++seed) {
    const sim::SeedReport report = sim::simulate_seed(*pack, options, seed);
    print_seed(report);
    checks += report.checks;
    commands += report.commands;
    power_losses += report.power_losses;
    failovers += report.failovers;
    fenced += report.fenced_commits;
    if (report.passed()) {
      ++passed;
    } else {
      failed += " " + std::to_string(seed);
    }
  }
  std::printf(
      "%s seeds: %s passed, %s failed; %s commands, %s power losses, %s failovers (%s "
      "fenced commits), %s invariant checks\n",
      grouped(seeds).c_str(), grouped(passed).c_str(), grouped(seeds - passed).c_str(),
      grouped(commands).c_str(), grouped(power_losses).c_str(), grouped(failovers).c_str(),
      grouped(fenced).c_str(), grouped(checks).c_str());
  if (!failed.empty()) {
    std::printf(
        "replay a failure: zonegate simtest --seed SEED --steps %d%s%s (failed:%s); their data "
        "directories are in %s\n",
        options.steps, options.lying_fsync ? " --lying-fsync" : "",
        options.fence ? "" : " --no-fence", failed.c_str(), scratch.c_str());
    return 1;
  }
  std::filesystem::remove_all(scratch, error);
  return 0;
}

}  // namespace zg::cli
