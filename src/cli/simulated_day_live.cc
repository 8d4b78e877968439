#include "cli/simulated_day_live.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "api/http_client.h"
#include "cli/clock.h"
#include "core/json.h"
#include "core/time.h"

namespace zg::cli {
namespace {

constexpr size_t kRequestCommands = 500;  // commands per request
constexpr int kAttempts = 30;  // a busy or restarting server is waited for, a second at a time

// The command with its "at" replaced by `at` (the generator writes "at" as
// a top-level string once, before any nested object).
std::string dated(const std::string& command, const std::string& at) {
  const std::string key = "\"at\":\"";
  const size_t from = command.find(key);
  if (from == std::string::npos) return command;
  const size_t value = from + key.size();
  const size_t end = command.find('"', value);
  return command.substr(0, value) + at + command.substr(end);
}

std::string type_of(const std::string& command) {
  JsonDocument doc;
  if (!doc.parse(command).is_ok()) return "";
  return std::string(doc.root().get("type").text());
}

// Sends `commands` as JSON Lines with `token`, dated now; appends one
// result per command to `results`.
Status send(api::HttpClient& client, const std::string& token, int offset_minutes,
            const std::vector<std::string>& commands, std::vector<std::string>& results) {
  if (commands.empty()) return Status::ok();
  const std::string at = format_rfc3339(Timestamp{unix_now(), offset_minutes});
  std::string body;
  for (const std::string& c : commands) body += dated(c, at) + "\n";
  for (int attempt = 1;; ++attempt) {
    Result<std::pair<int, std::string>> answer = client.post(
        "/v1/commands", body, "application/x-ndjson", {{"Authorization", "Bearer " + token}});
    const bool busy = !answer.is_ok() || answer->first == 429 || answer->first == 503;
    if (busy && attempt < kAttempts) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    if (!answer.is_ok()) return answer.status();
    if (answer->first != 200) {
      return Status(ErrorCode::kUnavailable, "",
                    "the server answered " + std::to_string(answer->first) + ": " +
                        answer->second.substr(0, 300));
    }
    const size_t before = results.size();
    const std::string& lines = answer->second;
    for (size_t from = 0, nl; (nl = lines.find('\n', from)) != std::string::npos; from = nl + 1) {
      results.push_back(lines.substr(from, nl - from));
    }
    if (results.size() - before != commands.size()) {
      return Status(ErrorCode::kCorruption, "",
                    "the server answered " + std::to_string(results.size() - before) + " of " +
                        std::to_string(commands.size()) + " commands");
    }
    return Status::ok();
  }
}

}  // namespace

bool parse_target_url(const std::string& url, LiveTarget& target) {
  const std::string scheme = "http://";
  if (!url.starts_with(scheme)) return false;
  std::string rest = url.substr(scheme.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  const size_t colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0 || rest.find('/') != std::string::npos) return false;
  target.host = rest.substr(0, colon);
  target.port = rest.substr(colon + 1);
  return !target.port.empty() && target.port.size() <= 5 &&
         std::all_of(target.port.begin(), target.port.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

Result<SimulatedDay> send_day(const PolicyPack& pack, const demo::GateDayOptions& options,
                              const LiveTarget& target,
                              const std::function<void(size_t, size_t)>& progress) {
  const auto started = std::chrono::steady_clock::now();
  api::HttpClient client(target.host, target.port, std::chrono::seconds(60));
  const int offset = pack.utc_offset_minutes;
  demo::GateZone gates(pack, options);
  SimulatedDay day;
  const std::vector<std::string> generated = gates.preparation();
  day.day = gates.day();
  day.enterprises = gates.enterprises();

  // Phase 1 at once. set_rate is the admin's; without an admin token the
  // day goes without those (the pack's own rates then decide).
  std::vector<std::string> preparation, prepared;
  for (const std::string& c : generated) {
    if (type_of(c) == "set_rate") {
      if (target.admin_token.empty()) continue;
      std::vector<std::string> answer;
      if (Status s = send(client, target.admin_token, offset, {c}, answer); !s.is_ok()) return s;
      preparation.push_back(c);
      prepared.push_back(answer.front());
      continue;
    }
    preparation.push_back(c);
  }
  const size_t estimate = preparation.size() + 2 * static_cast<size_t>(options.travellers);
  {
    std::vector<std::string> part;
    size_t sent = prepared.size();
    std::vector<std::string> rest(preparation.begin() + static_cast<long>(prepared.size()),
                                  preparation.end());
    for (size_t i = 0; i < rest.size(); i += kRequestCommands) {
      part.assign(rest.begin() + static_cast<long>(i),
                  rest.begin() + static_cast<long>(std::min(rest.size(), i + kRequestCommands)));
      if (Status s = send(client, target.token, offset, part, prepared); !s.is_ok()) return s;
      // Sent before (dated otherwise then): the server holds this day already.
      if (i == 0 && prepared.back().find("\"id_conflict\"") != std::string::npos) {
        return Status(ErrorCode::kIdConflict, "",
                      "the server already holds this simulated day (" + format_date(day.day) +
                          ", its ids under this seed): send another --seed");
      }
      sent += part.size();
      if (progress) progress(sent, estimate);
    }
  }

  if (count_accepted(prepared) == 0 && !prepared.empty()) {
    return Status(ErrorCode::kForbidden, "",
                  "the server accepted none of the day's commands; the first answer: " +
                      prepared.front().substr(0, 300));
  }

  // Phase 2, paced: each command goes when its time of the simulated day,
  // counted from the first, comes round at `speed`.
  Result<std::vector<std::string>> planned = gates.gate_day(preparation, prepared);
  if (!planned.is_ok()) return planned.status();
  std::vector<int64_t> seconds;
  for (const std::string& c : *planned) {
    JsonDocument doc;
    Result<Timestamp> at = doc.parse(c).is_ok()
                               ? parse_rfc3339(doc.root().get("at").text())
                               : Result<Timestamp>(ErrorCode::kInvalidField, "", "");
    seconds.push_back(at.is_ok() ? at->unix_seconds : 0);
  }
  std::vector<std::string> decided;
  const auto wall_start = std::chrono::steady_clock::now();
  const size_t total = preparation.size() + planned->size();
  for (size_t i = 0; i < planned->size();) {
    // Everything due by now, up to a part.
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    size_t end = i;
    while (end < planned->size() && end - i < kRequestCommands &&
           (target.speed <= 0 ||
            static_cast<double>(seconds[end] - seconds.front()) / target.speed <= elapsed)) {
      ++end;
    }
    if (end == i) {
      const double due = static_cast<double>(seconds[i] - seconds.front()) / target.speed;
      std::this_thread::sleep_for(std::chrono::duration<double>(std::min(due - elapsed, 1.0)));
      continue;
    }
    const std::vector<std::string> part(planned->begin() + static_cast<long>(i),
                                        planned->begin() + static_cast<long>(end));
    if (Status s = send(client, target.token, offset, part, decided); !s.is_ok()) return s;
    i = end;
    if (progress) progress(preparation.size() + i, total);
  }
  day.commands = total;
  day.accepted = count_accepted(prepared) + count_accepted(decided);
  for (size_t i : gates.undervalued()) {
    // The undervalued declarations' indexes are into the generated phase 1.
    if (i >= generated.size()) continue;
    const auto at = std::find(preparation.begin(), preparation.end(), generated[i]);
    if (at == preparation.end()) continue;
    ++day.undervalued;
    const std::string& result = prepared[static_cast<size_t>(at - preparation.begin())];
    if (result.find("\"release\":\"held\"") != std::string::npos) ++day.undervalued_held;
  }
  day.gates = demo::check_gate_day(decided, planned->size());
  day.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return day;
}

}  // namespace zg::cli
