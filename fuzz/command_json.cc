// Command JSON, the engine's front door. The input's lines are executed as
// commands by a fresh engine under the Hengqin pack. For every input:
//  - each result is one JSON object with a "status";
//  - every book keeps its invariants (no balance below zero, each lot's
//    balance its receipts less removals plus adjustments);
//  - replaying the canonical forms of the commands it journaled into another
//    fresh engine gives the same state, hash for hash (what recovery after a
//    crash relies on).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "engine/engine.h"
#include "fuzz_check.h"
#include "gate/credential.h"
#include "policy/pack_loader.h"

namespace {

struct Setting {
  zg::PolicyPack pack;
  std::shared_ptr<const zg::gate::SigningKey> key;
};

const Setting& setting() {
  static const Setting* s = [] {
    auto* made = new Setting;
    zg::Result<zg::PolicyPack> pack = zg::load_policy_pack(zg::fuzz::hengqin_pack());
    zg::fuzz::check(pack.is_ok(), "the Hengqin pack loads");
    made->pack = std::move(pack).value();
    zg::Result<zg::gate::SigningKey> key =
        zg::gate::SigningKey::from_seed(std::string(zg::gate::kSeedBytes, '\x5a'));
    zg::fuzz::check(key.is_ok(), "a fixed signing key");
    made->key = std::make_shared<const zg::gate::SigningKey>(std::move(key).value());
    return made;
  }();
  return *s;
}

std::unique_ptr<zg::Engine> fresh_engine() {
  auto engine = std::make_unique<zg::Engine>(setting().pack);
  engine->set_signing_key(setting().key);
  return engine;
}

void check_books(const zg::Engine& engine) {
  for (const auto& [uscc, book] : engine.state().books) {
    const std::vector<std::string> problems = book.check_invariants();
    zg::fuzz::check(problems.empty(), "every book keeps its invariants",
                    problems.empty() ? "" : uscc + ": " + problems.front());
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  setting();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::unique_ptr<zg::Engine> engine = fresh_engine();
  std::vector<std::string> journal;  // canonical forms of the commands new to the zone
  zg::PreparedCommand command;
  zg::JsonDocument result;
  int64_t line_number = 0;
  for (size_t start = 0; start <= input.size();) {
    size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    const std::string_view line = input.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (line.empty()) continue;
    zg::Engine::prepare(line, line_number, command);
    const std::string text(engine->apply(command));
    zg::fuzz::check(result.parse(text).is_ok() && result.root().is_object() &&
                        result.root().get("status").is_string(),
                    "a result is a JSON object with a status", text);
    if (engine->last_new()) journal.push_back(command.canonical);
  }
  check_books(*engine);

  std::unique_ptr<zg::Engine> replayed = fresh_engine();
  int64_t seq = 0;
  for (const std::string& canonical : journal) {
    zg::Engine::prepare_canonical(canonical, ++seq, command);
    replayed->apply(command);
    zg::fuzz::check(replayed->last_new(), "a journaled command is accepted again on replay",
                    canonical);
  }
  zg::fuzz::check(replayed->state_hash() == engine->state_hash(),
                  "replaying the journal gives the same state");
  return 0;
}
