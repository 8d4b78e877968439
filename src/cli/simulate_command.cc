// zonegate simulate: a believable Hengqin day, or a run of days, into a
// zone's data directory (cli/simulated_day.h), from a seed, with a progress
// bar on a terminal.
//
//   zonegate simulate --data DIR [--day YYYY-MM-DD] [--days N] [--scale S]
//                     [--gate-scale G] [--seed N] [--pack DIR]
//
// Then `zonegate serve --data DIR` shows it (or `zonegate verify --data DIR`
// checks it). With --to URL, one day goes to a running server through its
// API instead (cli/simulated_day_live.h).
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "api/events.h"
#include "api/metrics.h"
#include "cli/clock.h"
#include "cli/commands.h"
#include "cli/simulated_day.h"
#include "cli/simulated_day_live.h"
#include "core/time.h"
#include "durable/data_dir.h"
#include "policy/pack_loader.h"

namespace zg::cli {
namespace simulate_cmd {  // this command's own names (commands.h says why)
namespace {

constexpr const char* kUsage =
    "usage: zonegate simulate --data DIR [--day YYYY-MM-DD (2024-09-02)] [--days N (1, at most "
    "365)]\n"
    "                         [--scale S (1.0)] [--gate-scale G (S)] [--seed N (the first day)]\n"
    "                         [--pack DIR] [--store postgresql://USER@HOST:PORT/DB]\n"
    "  (without --pack: the pack the data directory used last; a new one policies/hengqin)\n"
    "       zonegate simulate --to http://HOST:PORT --token OFFICER_TOKEN [--admin-token T]\n"
    "                         [--speed N (60; 0: at once)] [--day (today)] [--scale S]\n"
    "                         [--gate-scale G] [--seed N] [--pack DIR (policies/hengqin)]\n"
    "  (one day sent to a running server, each command dated when sent)\n";

struct Options {
  std::string data, pack;  // no --pack: the one the directory used last, or Hengqin's
  std::string store;       // --store: where a new data directory keeps its journal
  Date day{2024, 9, 2};
  int days = 1;
  double scale = 1.0;
  double gate_scale = -1;  // not given: the same as scale
  uint64_t seed = 20240902;
  bool seed_given = false;
  bool day_given = false;
  std::string to;  // --to: a running server instead of a data directory
  LiveTarget target;
};

// Reads the flags; false (with the reason printed) on anything wrong.
bool parse(const Args& args, Options& o) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view flag = args[i];
    if (i + 1 >= args.size()) {
      std::fprintf(stderr, "zonegate simulate: %.*s needs a value\n", static_cast<int>(flag.size()),
                   flag.data());
      return false;
    }
    const std::string value(args[++i]);
    if (flag == "--data") {
      o.data = value;
    } else if (flag == "--pack") {
      o.pack = value;
    } else if (flag == "--store") {
      o.store = value;
    } else if (flag == "--day") {
      Result<Date> day = parse_date(value);
      if (!day.is_ok()) {
        std::fprintf(stderr, "zonegate simulate: --day: %s\n",
                     day.status().first().message.c_str());
        return false;
      }
      o.day = *day;
      o.day_given = true;
    } else if (flag == "--to") {
      o.to = value;
      if (!parse_target_url(value, o.target)) {
        std::fputs("zonegate simulate: --to is http://HOST:PORT\n", stderr);
        return false;
      }
    } else if (flag == "--token") {
      o.target.token = value;
    } else if (flag == "--admin-token") {
      o.target.admin_token = value;
    } else if (flag == "--speed") {
      char* end = nullptr;
      o.target.speed = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0' || !(o.target.speed >= 0 && o.target.speed <= 100'000)) {
        std::fputs("zonegate simulate: --speed is a number from 0 (at once) to 100000\n", stderr);
        return false;
      }
    } else if (flag == "--days") {
      if (!parse_days(value, o.days)) {
        std::fputs("zonegate simulate: --days is a whole number from 1 to 365\n", stderr);
        return false;
      }
    } else if (flag == "--scale") {
      if (!parse_scale(value, o.scale)) {
        std::fputs("zonegate simulate: --scale is a number above 0 and at most 10\n", stderr);
        return false;
      }
    } else if (flag == "--gate-scale") {
      if (!parse_scale(value, o.gate_scale)) {
        std::fputs("zonegate simulate: --gate-scale is a number above 0 and at most 10\n", stderr);
        return false;
      }
    } else if (flag == "--seed") {
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), o.seed);
      if (ec != std::errc() || end != value.data() + value.size()) {
        std::fputs("zonegate simulate: --seed is a whole number\n", stderr);
        return false;
      }
      o.seed_given = true;
    } else {
      std::fprintf(stderr, "zonegate simulate: unknown option %.*s\n",
                   static_cast<int>(flag.size()), flag.data());
      return false;
    }
  }
  if (!o.to.empty()) {
    if (!o.data.empty() || !o.store.empty() || o.days != 1) {
      std::fputs(
          "zonegate simulate: --to sends one day to a server: no --data, --store or --days\n",
          stderr);
      return false;
    }
    if (o.target.token.empty()) {
      std::fputs("zonegate simulate: --to needs --token (an officer's)\n", stderr);
      return false;
    }
    return true;
  }
  if (o.data.empty()) {
    std::fputs("zonegate simulate: --data DIR (or --to URL) is needed\n", stderr);
    return false;
  }
  return true;
}

// What follows from the first day once it is known: each day its own draws
// unless a seed is given (the date as a number), and the gates at the
// business's scale unless --gate-scale.
void settle_day_defaults(Options& o) {
  if (!o.seed_given) {
    o.seed = static_cast<uint64_t>(o.day.year) * 10'000 + static_cast<uint64_t>(o.day.month) * 100 +
             static_cast<uint64_t>(o.day.day);
  }
  if (o.gate_scale < 0) o.gate_scale = o.scale;
}

// A day's line: its commands, enterprises, undervalued declarations and the
// gates' decisions, with the first few that were not as expected.
void print_day(const SimulatedDay& day) {
  const demo::GateDayCheck& g = day.gates;
  std::printf(
      "%s: %zu commands, %zu accepted, in %.1f s (%.0f a second); %zu enterprises; %zu "
      "undervalued, %zu of them held; gates: %lld decisions, %lld open, %lld held or "
      "referred as expected\n",
      format_date(day.day).c_str(), day.commands, day.accepted, day.seconds,
      static_cast<double>(day.commands) / std::max(day.seconds, 1e-9), day.enterprises.size(),
      day.undervalued, day.undervalued_held, static_cast<long long>(g.decisions),
      static_cast<long long>(g.open), static_cast<long long>(g.stopped));
  // The first few say what went wrong; the count says how much.
  for (size_t i = 0; i < g.mismatches.size() && i < 20; ++i) {
    std::printf("  NOT AS THE SIMULATOR EXPECTED: %s\n", g.mismatches[i].c_str());
  }
  if (g.mismatches.size() > 20) {
    std::printf("  ... and %zu more not as expected\n", g.mismatches.size() - 20);
  }
}

// --to: today (or --day) sent to a running server.
int send_to_server(Options& o, bool tty) {
  if (o.pack.empty()) o.pack = "policies/hengqin";
  Result<PolicyPack> pack = load_policy_pack(o.pack);
  if (!pack.is_ok()) {
    std::fprintf(stderr, "zonegate simulate: the pack %s has errors (zonegate policy check)\n",
                 o.pack.c_str());
    return 2;
  }
  if (!o.day_given) {
    o.day = local_date(unix_now(), pack->utc_offset_minutes);
  }
  settle_day_defaults(o);
  if (pack->in_force(o.day) == nullptr) {
    std::fprintf(stderr, "zonegate simulate: no version of the pack is in force on %s\n",
                 format_date(o.day).c_str());
    return 2;
  }
  demo::GateDayOptions options = day_options(o.day, o.scale, o.gate_scale, o.seed);
  // The seed in every id: a server holds many sent days, each its own.
  options.business.id_tag = "s" + std::to_string(o.seed);
  options.serial_series = 1 + static_cast<int>(o.seed % 25);
  // Every permit is dated when sent, so the fleet counts against this
  // month's quota alone.
  const int quota = pack->in_force(o.day)->gates.monthly_permit_quota;
  options.cars = std::min(options.cars, quota * 95 / 100);
  std::printf("sending %s to %s at %gx (scale %g, gates at %g, seed %llu)\n",
              format_date(o.day).c_str(), o.to.c_str(), o.target.speed, o.scale, o.gate_scale,
              static_cast<unsigned long long>(o.seed));
  std::fflush(stdout);
  Result<SimulatedDay> day = send_day(*pack, options, o.target, [&](size_t done, size_t total) {
    if (!tty) return;
    const size_t width = 30, filled = total == 0 ? width : std::min(width, done * width / total);
    std::fprintf(stderr, "\r[%s%s] %zu of about %zu commands", std::string(filled, '#').c_str(),
                 std::string(width - filled, ' ').c_str(), done, std::max(done, total));
  });
  if (tty) std::fputs("\r\033[K", stderr);
  if (!day.is_ok()) {
    std::fprintf(stderr, "zonegate simulate: %s\n", day.status().first().message.c_str());
    return 2;
  }
  print_day(*day);
  return day->gates.ok() ? 0 : 1;
}

}  // namespace
}  // namespace simulate_cmd

int simulate_command(const Args& args) {
  using namespace simulate_cmd;
  Options o;
  if (!parse(args, o)) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const bool tty = isatty(STDERR_FILENO) != 0;
  if (!o.to.empty()) return send_to_server(o, tty);
  settle_day_defaults(o);
  if (o.pack.empty() && !holds_journal(o.data)) {
    o.pack = "policies/hengqin";
  }
  api::EventHub events;
  api::Metrics metrics;
  api::ZoneOptions zone_options;
  zone_options.store = store_named_by_pack(o.store, o.pack);
  Result<std::unique_ptr<api::Zone>> zone =
      api::Zone::open(o.data, o.pack, zone_options, events, metrics);
  if (!zone.is_ok()) {
    std::fprintf(stderr, "zonegate simulate: %s\n", zone.status().first().message.c_str());
    return 2;
  }
  if ((*zone)->pack().in_force(o.day) == nullptr) {
    std::fprintf(stderr, "zonegate simulate: no version of the pack is in force on %s\n",
                 format_date(o.day).c_str());
    return 2;
  }
  const demo::GateDayOptions options = day_options(o.day, o.scale, o.gate_scale, o.seed);
  std::printf("simulating %d day%s from %s at scale %g, gates at %g (seed %llu)\n", o.days,
              o.days == 1 ? "" : "s", format_date(o.day).c_str(), o.scale, o.gate_scale,
              static_cast<unsigned long long>(o.seed));
  std::fflush(stdout);
  int day_number = 0;
  size_t commands = 0, accepted = 0, mismatches = 0, undervalued = 0, undervalued_held = 0;
  double seconds = 0;
  const Status status = feed_days(
      **zone, options, o.days,
      [&](size_t done, size_t total) {
        if (!tty) return;
        const size_t width = 30,
                     filled = total == 0 ? width : std::min(width, done * width / total);
        std::fprintf(stderr, "\r[%s%s] day %d of %d: %zu of about %zu commands",
                     std::string(filled, '#').c_str(), std::string(width - filled, ' ').c_str(),
                     day_number + 1, o.days, done, std::max(done, total));
      },
      [&](const SimulatedDay& day) {
        ++day_number;
        if (tty) std::fputs("\r\033[K", stderr);
        const demo::GateDayCheck& g = day.gates;
        print_day(day);
        std::fflush(stdout);
        commands += day.commands;
        accepted += day.accepted;
        mismatches += g.mismatches.size();
        undervalued += day.undervalued;
        undervalued_held += day.undervalued_held;
        seconds += day.seconds;
      });
  if (tty) std::fputs("\r\033[K", stderr);
  (*zone)->drain();
  if (!status.is_ok()) {
    std::fprintf(stderr, "zonegate simulate: %s\n", status.first().message.c_str());
    return 2;
  }
  std::printf(
      "simulated %d day%s: %zu commands, %zu accepted, in %.1f s (%.0f a second); %zu "
      "undervalued, %zu of them held by the risk lanes\n",
      day_number, day_number == 1 ? "" : "s", commands, accepted, seconds,
      static_cast<double>(commands) / std::max(seconds, 1e-9), undervalued, undervalued_held);
  return mismatches == 0 ? 0 : 1;
}

}  // namespace zg::cli
