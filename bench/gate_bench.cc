// Gate decisions through the whole engine, one call at a time: the latency
// of each Engine::execute is taken with steady_clock, and the report gives
// p50/p90/p99/max and decisions per second of busy time.
//
// Machines are noisy, so every case runs in rounds interleaved with its
// baselines (an Ed25519 verification through gate::verify_credential, the
// bare libsodium call, and a rejected command through Engine::execute), and
// the report states the decision as a multiple of those.
//
//   1. traveller_crossing, a credential seen for the first time (verified)
//   2. traveller_crossing, the same credential again (from the cache)
//   3. gate_arrival, a truck carrying 20 released declarations
//
// Every timed decision is checked: a rejected command aborts the run, and
// the decisions that are not "open" are counted and printed (expected 0).
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "engine/engine.h"
#include "gate/credential.h"
#include "policy/pack_loader.h"

namespace zg {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kTravellerCount = 20'000;  // timed: one crossing each, per case
// Untimed crossings first; these travellers' tokens also feed the verify baselines.
constexpr size_t kWarmupTravellerCount = 1'000;
constexpr size_t kTruckCount = 5'000;  // timed gate arrivals
constexpr size_t kWarmupTruckCount = 200;
constexpr size_t kDeclarationsPerTruck = 20;
constexpr size_t kDeclarationGrossDecikg = 125;  // 12.5 kg each; the truck weighs their sum
constexpr size_t kRoundCount = 10;  // each case alternates with its baselines this often
constexpr size_t kBaselineCallsPerRound = 1'000;  // per baseline, per round

constexpr double kTargetNewCredentialP99Us = 150;
constexpr double kTargetCachedCredentialP99Us = 20;
constexpr double kTargetTruckP99Us = 100;

const char* const kUscc = "914404000MA4W2X05J";
const char* const kTravellerChannel = "HENGQIN-PORT-HALL-A";
const char* const kCargoChannel = "HENGQIN-PORT-CARGO";

[[noreturn]] void fail(const std::string& why) {
  std::fprintf(stderr, "zonegate_bench_gate: %s\n", why.c_str());
  std::exit(1);
}

// A string member of a result, or "" when it has none.
std::string_view string_member(JsonRef object, std::string_view key) {
  const JsonRef member = object.get(key);
  return member.is_string() ? member.text() : std::string_view();
}

int64_t elapsed_ns(Clock::time_point start, Clock::time_point stop) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(stop - start).count();
}

// ---- Running commands -------------------------------------------------------

// Runs commands on one engine, checks each result and keeps the last one
// parsed. Checking happens outside the timed region.
class Driver {
 public:
  explicit Driver(const PolicyPack& pack) : engine_(pack) {}

  Engine& engine() { return engine_; }

  // Untimed: setup commands, which must be accepted.
  JsonRef run(const std::string& command) {
    const std::string_view result = engine_.execute(command, ++line_number_);
    return check_accepted(command, result);
  }

  // Timed: returns the latency; the result is checked after the clock stops.
  int64_t run_timed(const std::string& command) {
    const Clock::time_point start = Clock::now();
    const std::string_view result = engine_.execute(command, ++line_number_);
    const Clock::time_point stop = Clock::now();
    check_accepted(command, result);
    return elapsed_ns(start, stop);
  }

  // Timed, for a command the engine must reject (the baseline).
  int64_t run_timed_rejected(const std::string& command) {
    const Clock::time_point start = Clock::now();
    const std::string_view result = engine_.execute(command, ++line_number_);
    const Clock::time_point stop = Clock::now();
    if (engine_.last_accepted()) {
      fail("the baseline command was accepted: " + command + " -> " + std::string(result));
    }
    return elapsed_ns(start, stop);
  }

  // The decision of the last result, for a command that makes one.
  std::string_view decision() const { return string_member(result_.root(), "decision"); }
  std::string last_result_text() const { return last_result_; }

 private:
  JsonRef check_accepted(const std::string& command, std::string_view result) {
    last_result_ = std::string(result);
    if (!engine_.last_accepted()) {
      fail("a command was rejected:\n  " + command + "\n  -> " + last_result_);
    }
    if (!result_.parse(last_result_).is_ok()) fail("a result is not JSON: " + last_result_);
    return result_.root();
  }

  Engine engine_;
  int64_t line_number_ = 0;
  JsonDocument result_;
  std::string last_result_;
};

// ---- Latency statistics -----------------------------------------------------

struct Summary {
  size_t count = 0;
  double p50_us = 0, p90_us = 0, p99_us = 0, max_us = 0, mean_us = 0;
  double per_second = 0;  // calls per second of the time spent inside them
};

// Nearest-rank percentile of sorted samples.
double percentile_us(const std::vector<int64_t>& sorted, double fraction) {
  const auto rank = static_cast<size_t>(std::ceil(fraction * static_cast<double>(sorted.size())));
  const size_t index = std::min(sorted.size(), std::max<size_t>(rank, 1)) - 1;
  return static_cast<double>(sorted[index]) / 1e3;
}

Summary summarize(std::vector<int64_t> samples) {
  Summary s;
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  int64_t total_ns = 0;
  for (int64_t sample : samples) total_ns += sample;
  s.count = samples.size();
  s.p50_us = percentile_us(samples, 0.50);
  s.p90_us = percentile_us(samples, 0.90);
  s.p99_us = percentile_us(samples, 0.99);
  s.max_us = static_cast<double>(samples.back()) / 1e3;
  s.mean_us = static_cast<double>(total_ns) / 1e3 / static_cast<double>(s.count);
  s.per_second = static_cast<double>(s.count) * 1e9 / static_cast<double>(total_ns);
  return s;
}

void print_header() {
  std::printf("  %-50s %7s %9s %9s %9s %9s %9s %11s\n", "", "calls", "p50 us", "p90 us", "p99 us",
              "max us", "mean us", "calls/s");
}

void print_row(const char* name, const Summary& s) {
  std::printf("  %-50s %7zu %9.2f %9.2f %9.2f %9.2f %9.2f %11.0f\n", name, s.count, s.p50_us,
              s.p90_us, s.p99_us, s.max_us, s.mean_us, s.per_second);
}

// ---- The machine -----------------------------------------------------------

// The machine's own interruptions (timer ticks, the hypervisor, other
// processes), which every figure includes: a call of L us meets one with a
// probability of about L x per_second / 10^6, and then takes `typical_us` more.
struct Interruptions {
  double per_second = 0;
  double typical_us = 0;  // median length
};

// Spins on the clock for half a second and counts the gaps over 5 us.
Interruptions measure_interruptions() {
  constexpr int64_t kGapNsMin = 5'000;
  constexpr int64_t kSpinNs = 500'000'000;
  std::vector<int64_t> gaps;
  const Clock::time_point begin = Clock::now();
  Clock::time_point previous = begin;
  while (elapsed_ns(begin, previous) < kSpinNs) {
    const Clock::time_point now = Clock::now();
    if (const int64_t gap = elapsed_ns(previous, now); gap > kGapNsMin) gaps.push_back(gap);
    previous = now;
  }
  Interruptions machine;
  machine.per_second = static_cast<double>(gaps.size()) * 1e9 / static_cast<double>(kSpinNs);
  const Summary s = summarize(gaps);
  machine.typical_us = s.p50_us;
  std::printf(
      "interruptions (clock gaps over 5 us while spinning 0.5 s): %.0f/s, p50 %.1f us, "
      "p90 %.1f us, max %.0f us\n",
      machine.per_second, s.p50_us, s.p90_us, s.max_us);
  return machine;
}

// ---- Baselines --------------------------------------------------------------

// What a decision is compared with: verifying a credential (through
// gate::verify_credential, and libsodium's call alone) and the engine's
// cheapest path, a command it rejects by type.
class Baselines {
 public:
  Baselines(const std::vector<std::string>& tokens, const gate::PublicKey& public_key)
      : tokens_(tokens), public_key_(public_key) {
    // The same tokens, decoded once, for the bare libsodium call.
    for (const std::string& token : tokens_) {
      const size_t dot = token.find('.');
      Result<std::string> payload = gate::base64url_decode(token.substr(0, dot));
      Result<std::string> signature = gate::base64url_decode(token.substr(dot + 1));
      if (!payload.is_ok() || !signature.is_ok() || signature->size() != gate::kSignatureBytes) {
        fail("a credential does not decode: " + token);
      }
      decoded_.push_back(Decoded{*payload, *signature});
    }
  }

  // One round: kBaselineCallsPerRound calls of each baseline.
  void run_round(Driver& driver) {
    for (size_t call_index = 0; call_index < kBaselineCallsPerRound; ++call_index) {
      const std::string& token = tokens_[next_ % tokens_.size()];
      const Clock::time_point start = Clock::now();
      const gate::CredentialCheck check = gate::verify_credential(token, public_key_);
      const Clock::time_point stop = Clock::now();
      if (!check.is_ok()) fail("a valid credential did not verify: " + token);
      verify_.push_back(elapsed_ns(start, stop));

      const Decoded& decoded = decoded_[next_ % decoded_.size()];
      const auto* message = reinterpret_cast<const unsigned char*>(decoded.payload.data());
      const auto* signature = reinterpret_cast<const unsigned char*>(decoded.signature.data());
      const Clock::time_point sodium_start = Clock::now();
      const int verdict = crypto_sign_verify_detached(signature, message, decoded.payload.size(),
                                                      public_key_.data());
      const Clock::time_point sodium_stop = Clock::now();
      if (verdict != 0) fail("libsodium refused a valid signature");
      sodium_.push_back(elapsed_ns(sodium_start, sodium_stop));

      const std::string command = R"({"type":"no_such_command","id":"base-)" +
                                  std::to_string(next_) + R"(","at":"2024-05-03T08:00:00+08:00"})";
      rejected_.push_back(driver.run_timed_rejected(command));
      ++next_;
    }
  }

  Summary verify() const { return summarize(verify_); }
  Summary sodium() const { return summarize(sodium_); }
  Summary rejected() const { return summarize(rejected_); }

 private:
  struct Decoded {
    std::string payload;
    std::string signature;
  };
  const std::vector<std::string>& tokens_;
  gate::PublicKey public_key_;
  std::vector<Decoded> decoded_;
  size_t next_ = 0;  // also numbers the rejected commands' ids, unique per engine
  std::vector<int64_t> verify_, sodium_, rejected_;
};

// ---- One case ---------------------------------------------------------------

struct CaseReport {
  const char* title = "";
  const char* decision_name = "";
  double target_p99_us = 0;
  Summary decision;
  Summary prepare;  // Engine::prepare of the same commands: parse, canonical form, SHA-256
  std::vector<double> round_p99_us;  // the decision's p99 in each round, to see the noise
  size_t not_open = 0;
  std::string first_not_open;
};

CaseReport new_report(const char* title, const char* decision_name, double target_p99_us) {
  CaseReport report;
  report.title = title;
  report.decision_name = decision_name;
  report.target_p99_us = target_p99_us;
  return report;
}

// Times `commands` on `driver`, in kRoundCount rounds, each after a round of
// `baselines`. Every command must be accepted and should decide "open".
void run_case(Driver& driver, Baselines& baselines, const std::vector<std::string>& commands,
              CaseReport& report) {
  std::vector<int64_t> decision_ns, prepare_ns;
  decision_ns.reserve(commands.size());
  prepare_ns.reserve(commands.size());
  PreparedCommand prepared;
  const size_t per_round = (commands.size() + kRoundCount - 1) / kRoundCount;
  for (size_t round_index = 0; round_index < kRoundCount; ++round_index) {
    baselines.run_round(driver);
    const size_t begin = std::min(commands.size(), round_index * per_round);
    const size_t end = std::min(commands.size(), begin + per_round);
    const size_t round_begin = decision_ns.size();
    for (size_t command_index = begin; command_index < end; ++command_index) {
      const std::string& command = commands[command_index];
      decision_ns.push_back(driver.run_timed(command));
      if (driver.decision() != "open") {
        if (report.not_open++ == 0) report.first_not_open = driver.last_result_text();
      }
      // The parsing part alone, on the same text (it reads no state).
      const Clock::time_point start = Clock::now();
      Engine::prepare(command, 1, prepared);
      const Clock::time_point stop = Clock::now();
      benchmark::DoNotOptimize(prepared.digest);
      prepare_ns.push_back(elapsed_ns(start, stop));
    }
    const std::vector<int64_t> round(decision_ns.begin() + static_cast<long>(round_begin),
                                     decision_ns.end());
    if (!round.empty()) report.round_p99_us.push_back(summarize(round).p99_us);
  }
  report.decision = summarize(std::move(decision_ns));
  report.prepare = summarize(std::move(prepare_ns));
}

void print_case(const CaseReport& report, const Baselines& baselines,
                const Interruptions& machine) {
  const Summary verify = baselines.verify(), sodium = baselines.sodium(),
                rejected = baselines.rejected();
  const Summary& d = report.decision;
  std::printf("\n== %s\n", report.title);
  print_header();
  print_row(report.decision_name, d);
  print_row("  of which Engine::prepare (parse, canonical, sha)", report.prepare);
  print_row("baseline: gate::verify_credential", verify);
  print_row("baseline: crypto_sign_verify_detached", sodium);
  print_row("baseline: Engine::execute, rejected (bad type)", rejected);
  std::printf("  decision = %.2f x verify_credential (p50), %.2f x (p99); %+.2f us over it (p50)\n",
              d.p50_us / verify.p50_us, d.p99_us / verify.p99_us, d.p50_us - verify.p50_us);
  std::printf("  decision = %.2f x rejected command (p50), %.2f x (p99)\n",
              d.p50_us / rejected.p50_us, d.p99_us / rejected.p99_us);
  std::printf("  decisions/s: %.0f (busy time)\n", d.per_second);
  std::vector<double> rounds = report.round_p99_us;
  std::sort(rounds.begin(), rounds.end());
  if (!rounds.empty()) {
    std::printf("  decision p99 by round (%zu rounds): min %.2f, median %.2f, max %.2f us\n",
                rounds.size(), rounds.front(), rounds[rounds.size() / 2], rounds.back());
  }
  std::printf("  machine interruptions meet about %.1f%% of these calls, adding ~%.0f us each\n",
              std::min(100.0, d.p50_us * machine.per_second / 1e4), machine.typical_us);
  std::printf("  not open: %zu of %zu\n", report.not_open, d.count);
  if (report.not_open != 0) std::printf("    first: %s\n", report.first_not_open.c_str());
  std::printf("  target p99 < %.0f us: %s (p99 %.2f us)\n", report.target_p99_us,
              d.p99_us < report.target_p99_us ? "met" : "MISSED", d.p99_us);
}

// ---- Commands ---------------------------------------------------------------

std::string enrol_command(size_t traveller_index) {
  std::string number = std::to_string(10'000'000 + traveller_index);  // 8 digits
  return R"({"type":"enrol_traveller","id":"enrol-)" + std::to_string(traveller_index) +
         R"(","at":"2024-05-01T10:00:00+08:00","document":{"kind":"home_return_permit",)"
         R"("number":"M)" +
         number +
         R"(","birth_date":"1980-01-01"},"categories":["macao_resident"],)"
         R"("biometric_ref":"dev-7/tmpl/)" +
         std::to_string(traveller_index) + R"(","valid_until":"2026-05-01"})";
}

std::string crossing_command(std::string_view id, std::string_view at, std::string_view direction,
                             std::string_view credential) {
  return R"({"type":"traveller_crossing","id":")" + std::string(id) + R"(","at":")" +
         std::string(at) + R"(","channel":")" + kTravellerChannel + R"(","direction":")" +
         std::string(direction) + R"(","credential":")" + std::string(credential) +
         R"(","biometric_score":"0.987","liveness":true,"goods_to_declare":false})";
}

// Tenths of a kilogram as decimal text: 125 is "12.5".
std::string decikg_text(size_t decikg) {
  return std::to_string(decikg / 10) + "." + std::to_string(decikg % 10);
}

std::string declare_command(size_t declaration_index) {
  const std::string n = std::to_string(declaration_index);
  return R"({"type":"declare","id":"decl-)" + n +
         R"(","at":"2024-05-09T09:00:00+08:00","movement":"first_line_entry","declarant":")" +
         kUscc + R"(","purpose":"trade","currency":"CNY","gross_kg":")" +
         decikg_text(kDeclarationGrossDecikg) + R"(","items":[{"item":"WINE-)" + n +
         R"(","hs":"22042100","origin":"FR","quantity":"10","unit":"L","value":"100.00"}]})";
}

std::string arrival_command(size_t truck_index, const std::vector<std::string>& numbers) {
  std::string out =
      R"({"type":"gate_arrival","id":"truck-)" + std::to_string(truck_index) +
      R"(","at":"2024-05-09T10:00:00+08:00","channel":")" + kCargoChannel +
      R"(","direction":"in","conveyance":{"plate":"MX-)" + std::to_string(truck_index) +
      R"(","containers":["CSQU3054383"],"seals":["HQ-SEAL-000123"],)"
      R"("gross_kg":")" +
      decikg_text(numbers.size() * kDeclarationGrossDecikg) + R"("},"declarations":[)";
  for (size_t k = 0; k < numbers.size(); ++k) {
    if (k != 0) out += ',';
    out += '"' + numbers[k] + '"';
  }
  out += "]}";
  return out;
}

// ---- The cases --------------------------------------------------------------

// Cases 1 and 2 on one zone: enrol everyone, cross in (each credential new),
// then cross out (each credential cached).
void run_traveller_cases(const PolicyPack& pack, const Interruptions& machine) {
  Driver driver(pack);
  auto key = std::make_shared<const gate::SigningKey>(gate::SigningKey::generate());
  driver.engine().set_signing_key(key);

  const size_t total = kWarmupTravellerCount + kTravellerCount;
  std::vector<std::string> tokens;
  tokens.reserve(total);
  const Clock::time_point enrol_start = Clock::now();
  for (size_t traveller_index = 0; traveller_index < total; ++traveller_index) {
    const JsonRef result = driver.run(enrol_command(traveller_index));
    const std::string_view credential = string_member(result, "credential");
    if (credential.empty()) fail("an enrolment gave no credential: " + driver.last_result_text());
    tokens.emplace_back(credential);
  }
  const double enrol_s = static_cast<double>(elapsed_ns(enrol_start, Clock::now())) / 1e9;
  std::printf("\nsetup: enrolled %zu travellers in %.2f s (untimed; signing inside)\n", total,
              enrol_s);
  std::printf("credential: %zu bytes, e.g. %.40s...\n", tokens.front().size(),
              tokens.front().c_str());

  // Warm-up: the first travellers cross in and out, untimed; their tokens
  // are the baselines' (verifying reads no engine state).
  const std::vector<std::string> warm_tokens(tokens.begin(),
                                             tokens.begin() + kWarmupTravellerCount);
  for (size_t traveller_index = 0; traveller_index < kWarmupTravellerCount; ++traveller_index) {
    const std::string n = std::to_string(traveller_index);
    for (const char* direction : {"in", "out"}) {
      driver.run(crossing_command("warm-" + std::string(direction) + "-" + n,
                                  "2024-05-02T08:00:00+08:00", direction, tokens[traveller_index]));
      if (driver.decision() != "open") fail("a warm-up crossing: " + driver.last_result_text());
    }
  }

  std::vector<std::string> entries, exits;
  entries.reserve(kTravellerCount);
  exits.reserve(kTravellerCount);
  for (size_t traveller_index = kWarmupTravellerCount; traveller_index < total; ++traveller_index) {
    const std::string n = std::to_string(traveller_index);
    entries.push_back(crossing_command("cross-in-" + n, "2024-05-03T08:16:02+08:00", "in",
                                       tokens[traveller_index]));
    exits.push_back(crossing_command("cross-out-" + n, "2024-05-03T18:02:40+08:00", "out",
                                     tokens[traveller_index]));
  }

  {
    Baselines baselines(warm_tokens, key->public_key());
    CaseReport report =
        new_report("1. traveller_crossing, credential seen for the first time (verified)",
                   "traveller_crossing, new credential", kTargetNewCredentialP99Us);
    run_case(driver, baselines, entries, report);
    print_case(report, baselines, machine);
  }
  {
    Baselines baselines(warm_tokens, key->public_key());
    CaseReport report =
        new_report("2. traveller_crossing, credential already verified (cached)",
                   "traveller_crossing, cached credential", kTargetCachedCredentialP99Us);
    run_case(driver, baselines, exits, report);
    print_case(report, baselines, machine);
  }
}

// Case 3: trucks at the first-line cargo channel, 20 released declarations each.
void run_cargo_case(const PolicyPack& pack, const Interruptions& machine) {
  Driver driver(pack);
  driver.run(std::string(R"({"type":"register_enterprise","id":"ent-1",)") +
             R"("at":"2024-05-01T09:00:00+08:00","uscc":")" + kUscc +
             R"(","name":"Bench Wine Traders","legal_person":true,"registered_in_zone":true})");

  const size_t truck_total = kWarmupTruckCount + kTruckCount;
  std::vector<std::string> arrivals;
  arrivals.reserve(truck_total);
  const Clock::time_point declare_start = Clock::now();
  size_t declaration_index = 0;
  for (size_t truck_index = 0; truck_index < truck_total; ++truck_index) {
    std::vector<std::string> numbers;
    for (size_t k = 0; k < kDeclarationsPerTruck; ++k) {
      const JsonRef result = driver.run(declare_command(declaration_index++));
      if (string_member(result, "release") != "released") {
        fail("a declaration was not released at once: " + driver.last_result_text());
      }
      numbers.emplace_back(string_member(result, "declaration"));
    }
    arrivals.push_back(arrival_command(truck_index, numbers));
  }
  const double declare_s = static_cast<double>(elapsed_ns(declare_start, Clock::now())) / 1e9;
  std::printf("\nsetup: %zu declarations (green lane, released) in %.2f s (untimed)\n",
              declaration_index, declare_s);
  std::printf("gate_arrival command: %zu bytes\n", arrivals.back().size());

  for (size_t truck_index = 0; truck_index < kWarmupTruckCount; ++truck_index) {
    driver.run(arrivals[truck_index]);
    if (driver.decision() != "open") fail("a warm-up truck: " + driver.last_result_text());
  }
  const std::vector<std::string> timed(arrivals.begin() + kWarmupTruckCount, arrivals.end());

  // Tokens for the verify baselines: this zone issues none, so sign a few.
  const gate::SigningKey key = gate::SigningKey::generate();
  std::vector<std::string> tokens;
  for (size_t token_index = 0; token_index < kWarmupTravellerCount; ++token_index) {
    tokens.push_back(key.sign_credential(
        R"({"cat":["macao_resident"],"exp":"2026-05-01","iss":"hengqin","seq":)" +
        std::to_string(token_index + 1) + R"(,"sub":"HQT)" + std::to_string(token_index) +
        R"(","v":1})"));
  }
  Baselines baselines(tokens, key.public_key());
  CaseReport report = new_report("3. gate_arrival, a truck carrying 20 released declarations",
                                 "gate_arrival, 20 declarations", kTargetTruckP99Us);
  run_case(driver, baselines, timed, report);
  print_case(report, baselines, machine);
}

// The machine's load, printed with the figures: they mean little on a busy one.
void print_load(const char* when) {
  char text[128] = "?";
  if (std::FILE* file = std::fopen("/proc/loadavg", "r")) {
    if (std::fgets(text, sizeof text, file) == nullptr) text[0] = '\0';
    std::fclose(file);
  }
  std::printf("load average %s: %s", when, text);
  if (std::string_view(text).find('\n') == std::string_view::npos) std::printf("\n");
}

// What the clock costs: two now() calls back to back.
void print_timer_floor() {
  std::vector<int64_t> samples;
  samples.reserve(100'000);
  for (int sample_index = 0; sample_index < 100'000; ++sample_index) {
    const Clock::time_point start = Clock::now();
    const Clock::time_point stop = Clock::now();
    samples.push_back(elapsed_ns(start, stop));
  }
  const Summary s = summarize(std::move(samples));
  std::printf("timer floor (now() twice): p50 %.3f us, p99 %.3f us; included in every figure\n",
              s.p50_us, s.p99_us);
}

}  // namespace
}  // namespace zg

int main() {
  if (sodium_init() < 0) zg::fail("libsodium did not initialise");
  const std::string directory = std::string(ZG_SOURCE_DIR) + "/policies/hengqin";
  zg::Result<zg::PolicyPack> pack = zg::load_policy_pack(directory);
  if (!pack.is_ok()) zg::fail("cannot load the Hengqin pack from " + directory);
  std::printf("zonegate_bench_gate: gate decisions through Engine::execute, per call\n");
  std::printf("%zu rounds per case, each after %zu calls of each baseline\n", zg::kRoundCount,
              zg::kBaselineCallsPerRound);
  zg::print_load("at start");
  zg::print_timer_floor();
  const zg::Interruptions machine = zg::measure_interruptions();
  zg::run_traveller_cases(*pack, machine);
  zg::run_cargo_case(*pack, machine);
  std::printf("\n");
  zg::print_load("at end");
  return 0;
}
