#include "cli/simulated_day.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <future>

#include "engine/engine.h"

namespace zg::cli {
namespace {

// Commands per submission (the zone's queue holds 200,000).
constexpr size_t kSubmissionCommands = 2000;

// Applies `commands` in parts; their results, one per command, in order.
Result<std::vector<std::string>> apply(api::Zone& zone, const std::vector<std::string>& commands,
                                       size_t done_before, size_t total,
                                       const std::function<void(size_t, size_t)>& progress) {
  std::vector<std::string> results;
  results.reserve(commands.size());
  for (size_t start = 0; start < commands.size(); start += kSubmissionCommands) {
    const size_t end = std::min(commands.size(), start + kSubmissionCommands);
    api::Zone::Submission submission;
    submission.commands.resize(end - start);
    for (size_t i = start; i < end; ++i) {
      Engine::prepare(commands[i], static_cast<int64_t>(i + 1),
                      submission.commands[i - start].prepared);
    }
    submission.json_lines = true;
    std::promise<std::pair<Status, std::string>> answered;
    submission.done = [&](const Status& status, std::string lines) {
      answered.set_value({status, std::move(lines)});
    };
    zone.submit(std::move(submission));
    auto [status, lines] = answered.get_future().get();
    if (!status.is_ok()) return status;
    size_t from = 0;
    for (size_t nl = lines.find('\n'); nl != std::string::npos; nl = lines.find('\n', from)) {
      results.push_back(lines.substr(from, nl - from));
      from = nl + 1;
    }
    if (results.size() != end) {
      return Result<std::vector<std::string>>(ErrorCode::kCorruption, "",
                                              "the zone answered " +
                                                  std::to_string(results.size()) + " of " +
                                                  std::to_string(end) + " commands");
    }
    if (progress) progress(done_before + end, total);
  }
  return results;
}

// Whether the zone already applied other commands under the ids of this
// day's (another day, scale or seed simulated into the same directory):
// then much of this one would be refused as id conflicts. Every command is
// checked, in one read of the zone, before any is applied. On a run's first
// day, a zone holding commands but not this day's first (another run from
// another day, an older version's demo, a real zone) is refused too: the
// days would be mixed into its figures.
Status check_same_day(api::Zone& zone, const std::vector<std::string>& commands, bool first_day) {
  std::vector<std::pair<std::string, std::array<unsigned char, 32>>> identities;
  identities.reserve(commands.size());
  PreparedCommand prepared;
  for (const std::string& command : commands) {
    Engine::prepare(command, 1, prepared);
    identities.emplace_back(std::string(prepared.document.root().get("id").text()),
                            prepared.digest);
  }
  std::promise<std::string> clash;
  zone.read(
      [&](const Engine& engine) {
        std::string found;
        const auto& applied = engine.state().applied;
        if (first_day && engine.state().last_seq > 0 && !identities.empty() &&
            !applied.contains(identities.front().first)) {
          found = "other";
        }
        for (const auto& [id, digest] : identities) {
          if (!found.empty()) break;
          const CommandIndex::Entry* seen = applied.find(id);
          if (seen != nullptr && seen->digest != digest) {
            found = id;
            break;
          }
        }
        clash.set_value(found);
        return api::HttpResponse{};
      },
      [](api::HttpResponse) {});
  const std::string id = clash.get_future().get();
  if (id == "other") {
    return Status(ErrorCode::kIdConflict, "",
                  "this data directory already holds other commands, not this simulated run's: "
                  "a simulated run goes into a new directory (or the one it was made in, with "
                  "the same --day, --scale, --gate-scale and --seed)");
  }
  if (!id.empty()) {
    return Status(ErrorCode::kIdConflict, "",
                  "this data directory already holds another simulated day (command " + id +
                      " is not this day's): use a new directory, or the --day, --scale and "
                      "--seed it was made with");
  }
  return Status::ok();
}

}  // namespace

size_t count_accepted(const std::vector<std::string>& results) {
  return static_cast<size_t>(std::count_if(
      results.begin(), results.end(),
      [](const std::string& r) { return r.find("\"status\":\"accepted\"") != std::string::npos; }));
}

bool parse_scale(const std::string& text, double& scale) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(value > 0 && value <= 10)) return false;
  scale = value;
  return true;
}

bool parse_days(const std::string& text, int& days) {
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < 1 || value > 365) return false;
  days = static_cast<int>(value);
  return true;
}

demo::GateDayOptions day_options(Date day, double scale, double gate_scale, uint64_t seed) {
  demo::GateDayOptions options;
  options.business.day = day;
  options.business.seed = seed;
  const auto scaled = [](int n, double by) {
    return std::max(1, static_cast<int>(std::lround(n * by)));
  };
  options.business.declarations = scaled(options.business.declarations, scale);
  options.travellers = scaled(options.travellers, gate_scale);
  options.cars = scaled(options.cars, gate_scale);
  return options;
}

Status feed_days(api::Zone& zone, const demo::GateDayOptions& options, int days,
                 const std::function<void(size_t, size_t)>& progress,
                 const std::function<void(const SimulatedDay&)>& day_done) {
  demo::GateZone gates(zone.pack(), options);
  for (int d = 0; d < days; ++d) {
    const auto started = std::chrono::steady_clock::now();
    // Phase 1: the business day, permits and enrolments. Its results (the
    // declarations' numbers and lanes, the credentials) make phase 2.
    const std::vector<std::string> preparation = gates.preparation();
    SimulatedDay day;
    day.day = gates.day();
    day.enterprises = gates.enterprises();
    if (Status same = check_same_day(zone, preparation, d == 0); !same.is_ok()) return same;
    // About twice as many commands at the gates as enrolled travellers.
    const size_t estimate = preparation.size() + 2 * static_cast<size_t>(options.travellers);
    Result<std::vector<std::string>> prepared = apply(zone, preparation, 0, estimate, progress);
    if (!prepared.is_ok()) return prepared.status();
    Result<std::vector<std::string>> decisions = gates.gate_day(preparation, *prepared);
    if (!decisions.is_ok()) return decisions.status();
    const size_t total = preparation.size() + decisions->size();
    Result<std::vector<std::string>> decided =
        apply(zone, *decisions, preparation.size(), total, progress);
    if (!decided.is_ok()) return decided.status();
    day.commands = total;
    day.accepted = count_accepted(*prepared) + count_accepted(*decided);
    for (size_t i : gates.undervalued()) {
      ++day.undervalued;
      if ((*prepared)[i].find("\"release\":\"held\"") != std::string::npos) ++day.undervalued_held;
    }
    day.gates = demo::check_gate_day(*decided, decisions->size());
    day.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (day_done) day_done(day);
  }
  return Status::ok();
}

Result<SimulatedDay> feed_day(api::Zone& zone, const demo::GateDayOptions& options,
                              const std::function<void(size_t, size_t)>& progress) {
  SimulatedDay fed;
  Status status =
      feed_days(zone, options, 1, progress, [&](const SimulatedDay& day) { fed = day; });
  if (!status.is_ok()) return status;
  return fed;
}

}  // namespace zg::cli
