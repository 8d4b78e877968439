// zonegate serve: the HTTP API on the durable engine (docs/api.md).
//
//   zonegate serve --pack DIR --data DIR [--listen HOST:PORT] [options]
//   zonegate serve --demo [--pack DIR] [--data DIR] [--listen HOST:PORT]
//
// SIGINT or SIGTERM shuts down gracefully: the server stops accepting,
// commands already received are applied, committed and answered, a
// snapshot is written, then the process exits.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <string>
#include <thread>

#include "api/events.h"
#include "api/http.h"
#include "api/metrics.h"
#include "api/routes.h"
#include "api/shard_router.h"
#include "api/tokens.h"
#include "api/zone.h"
#include "cli/clock.h"
#include "cli/commands.h"
#include "cli/simulated_day.h"
#include "core/thread_name.h"
#include "demo/demo_day.h"

namespace zg::cli {
namespace serve_cmd {  // this command's own names (commands.h says why)
namespace {

struct ServeOptions {
  std::string pack;
  std::string data;
  std::string listen = "127.0.0.1:8080";
  std::string tls_cert, tls_key;  // PEM files: serve HTTPS
  int io_threads = 2;
  bool demo = false;
  std::string node;  // the name among a PostgreSQL shard's nodes ("" : HOST:PORT)
  std::vector<std::string> more_zones;  // --zone DIR: served under /shards/NAME/
  double demo_scale = 1.0;              // the simulated day's size (tests use a small one)
  api::ZoneOptions zone;
  api::CourierOptions courier;
  api::ApiOptions api;
  api::HttpLimits limits;
};

bool positive(std::string_view text, long max, long& out) {
  char* end = nullptr;
  const std::string s(text);
  out = std::strtol(s.c_str(), &end, 10);
  return !s.empty() && *end == '\0' && out >= 1 && out <= max;
}

bool parse_serve(const Args& args, ServeOptions& o) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    const bool has_value = i + 1 < args.size();
    long n = 0;
    if (a == "--demo") {
      o.demo = true;
    } else if (a == "--quiet") {
      o.api.log_requests = false;
    } else if (!has_value) {
      std::fprintf(stderr, "zonegate serve: unknown option or missing value: %s\n",
                   std::string(a).c_str());
      return false;
    } else if (a == "--pack") {
      o.pack = std::string(args[++i]);
    } else if (a == "--data") {
      o.data = std::string(args[++i]);
    } else if (a == "--store") {
      o.zone.store = std::string(args[++i]);
    } else if (a == "--listen") {
      o.listen = std::string(args[++i]);
    } else if (a == "--zone") {
      o.more_zones.emplace_back(args[++i]);
    } else if (a == "--node") {
      o.node = std::string(args[++i]);
    } else if (a == "--advertise") {
      o.zone.advertise = std::string(args[++i]);
    } else if (a == "--lease-ms" && positive(args[i + 1], 600'000, n) && n >= 300) {
      o.zone.lease_ms = static_cast<int>(n);
      ++i;
    } else if (a == "--tls-cert") {
      o.tls_cert = std::string(args[++i]);
    } else if (a == "--tls-key") {
      o.tls_key = std::string(args[++i]);
    } else if (a == "--io-threads" && positive(args[i + 1], 64, n)) {
      o.io_threads = static_cast<int>(n);
      ++i;
    } else if (a == "--commit-max" && positive(args[i + 1], 65536, n)) {
      o.zone.commit_max = static_cast<size_t>(n);
      ++i;
    } else if (a == "--snapshot-every" && positive(args[i + 1], 1L << 40, n)) {
      o.zone.snapshot_every = static_cast<uint64_t>(n);
      ++i;
    } else if (a == "--results-kept" && positive(args[i + 1], 1L << 40, n)) {
      o.zone.results_kept = static_cast<uint64_t>(n);
      ++i;
    } else if (a == "--demo-scale") {
      if (!parse_scale(std::string(args[++i]), o.demo_scale)) {
        std::fputs("zonegate serve: --demo-scale is a number above 0 and at most 10\n", stderr);
        return false;
      }
    } else if (a == "--rate-limit") {
      // Requests per second per token; 0 turns the limit off.
      const std::string value(args[++i]);
      char* end = nullptr;
      const double rate = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0' || rate < 0) {
        std::fputs("zonegate serve: --rate-limit takes requests per second (0: none)\n", stderr);
        return false;
      }
      o.api.rate_per_second = rate;
      o.api.rate_burst = rate * 2;
    } else if (a == "--body-max" && positive(args[i + 1], 1L << 30, n)) {
      o.limits.body_bytes_max = static_cast<size_t>(n);
      ++i;
    } else if (a == "--batch-max" && positive(args[i + 1], 1'000'000, n)) {
      o.api.batch_commands_max = static_cast<size_t>(n);
      ++i;
    } else if (a == "--read-timeout" && positive(args[i + 1], 3600, n)) {
      o.limits.read_timeout_seconds = static_cast<int>(n);
      ++i;
    } else if (a == "--retry-max-ms" && positive(args[i + 1], 3'600'000, n)) {
      // The longest the courier waits between attempts on a failing link.
      o.courier.retry_max = std::chrono::milliseconds(n);
      o.courier.retry_min = std::min(o.courier.retry_min, o.courier.retry_max);
      ++i;
    } else if (a == "--idle-timeout" && positive(args[i + 1], 86400, n)) {
      o.limits.idle_timeout_seconds = static_cast<int>(n);
      ++i;
    } else {
      std::fprintf(stderr, "zonegate serve: bad option %s %s\n", std::string(a).c_str(),
                   std::string(args[i + 1]).c_str());
      return false;
    }
  }
  if (o.tls_cert.empty() != o.tls_key.empty()) {
    std::fputs("zonegate serve: --tls-cert and --tls-key go together\n", stderr);
    return false;
  }
  if (o.demo) {
    if (o.data.empty()) o.data = "zonegate-demo";
    if (o.pack.empty()) o.pack = "policies/hengqin";
  }
  return !o.data.empty();
}

constexpr const char* kUsage =
    "usage: zonegate serve --pack DIR --data DIR [--store postgresql://USER@HOST:PORT/DB]\n"
    "                      [--listen HOST:PORT] [--io-threads N]\n"
    "                      [--commit-max N] [--snapshot-every N] [--results-kept N]\n"
    "                      [--rate-limit PER_SECOND]\n"
    "                      [--body-max BYTES] [--batch-max N] [--read-timeout S]\n"
    "                      [--idle-timeout S] [--retry-max-ms MS]\n"
    "                      [--tls-cert PEM --tls-key PEM] [--quiet]\n"
    "                      [--node NAME] [--advertise URL] [--lease-ms MS (3000)]\n"
    "                      [--zone DIR]...   more zones, each under /shards/NAME/\n"
    "       zonegate serve --demo [--demo-scale S (1.0)] [--pack DIR] [--data DIR]\n"
    "                      [--listen HOST:PORT]\n"
    "  (without --pack, the pack the data directory used last; --node, --advertise and\n"
    "  --lease-ms for nodes sharing a PostgreSQL shard: docs/operations.md)\n";

// One zone this node serves, with its own tokens, events, metrics and API.
// (Members go in reverse order: the courier and API before the zone, the
// zone before the events and metrics it reports to.)
struct ServedZone {
  std::string data;
  std::string name;  // its shard: the path /shards/NAME/
  api::EventHub events;
  api::Metrics metrics;
  std::unique_ptr<api::Zone> zone;
  std::unique_ptr<api::TokenStore> tokens;
  std::unique_ptr<api::Api> api;
  std::unique_ptr<api::Courier> courier;
};

struct DemoToken {
  std::string label;
  std::string secret;
  std::string uscc;
};

std::vector<DemoToken> demo_tokens(api::TokenStore& tokens,
                                   const std::vector<demo::DemoEnterprise>& enterprises) {
  std::vector<DemoToken> out;
  const int64_t now = unix_now();
  const auto make = [&](const char* label, api::Role role, const std::string& uscc) {
    Result<api::CreatedToken> t = tokens.create(role, uscc, now, 7 * 86400, "serve --demo");
    if (t.is_ok()) out.push_back(DemoToken{label, t->secret, uscc});
  };
  make("ADMIN", api::Role::kAdmin, "");
  make("OFFICER", api::Role::kOfficer, "");
  make("GATE", api::Role::kGate, "");
  make("AUDITOR", api::Role::kAuditor, "");
  // Two enterprises, one of them Macao-funded, to show each sees only its own.
  const demo::DemoEnterprise* macao = nullptr;
  const demo::DemoEnterprise* other = nullptr;
  for (const demo::DemoEnterprise& e : enterprises) {
    if (e.macao_funded && macao == nullptr) macao = &e;
    if (!e.macao_funded && other == nullptr) other = &e;
  }
  if (macao != nullptr) make("ENTERPRISE_A", api::Role::kEnterprise, macao->uscc);
  if (other != nullptr) make("ENTERPRISE_B", api::Role::kEnterprise, other->uscc);
  return out;
}

void print_demo_guide(const std::vector<DemoToken>& tokens, const std::string& url) {
  std::printf("\nTokens (valid 7 days; paste these lines into your shell):\n");
  std::string enterprise_a;
  for (const DemoToken& t : tokens) {
    std::printf("  export %s=%s%s%s\n", t.label.c_str(), t.secret.c_str(),
                t.uscc.empty() ? "" : "   # ", t.uscc.c_str());
    if (t.label == "ENTERPRISE_A") enterprise_a = t.uscc;
  }
  const std::string at = format_rfc3339(Timestamp{unix_now(), 480});
  std::printf(
      "\nTry:\n"
      "  curl -s %s/v1/enterprises/%s/book -H \"Authorization: Bearer $ENTERPRISE_A\"\n"
      "  curl -s %s/v1/enterprises/%s/book -H \"Authorization: Bearer $ENTERPRISE_B\"   # 403\n"
      "  curl -sN %s/v1/events -H \"Authorization: Bearer $OFFICER\" &\n"
      "  curl -s %s/v1/commands -H \"Authorization: Bearer $ENTERPRISE_A\" \\\n"
      "    -H 'Content-Type: application/json' -d '{\"type\":\"declare\",\"id\":\"my-first\","
      "\"at\":\"%s\",\"movement\":\"first_line_entry\",\"declarant\":\"%s\","
      "\"purpose\":\"processing\",\"currency\":\"CNY\",\"items\":[{\"item\":\"CHIP-A\","
      "\"hs\":\"85423100\",\"origin\":\"KR\",\"quantity\":\"100\",\"unit\":\"pcs\","
      "\"value\":\"5000.00\"}]}'\n"
      "  API description: %s/openapi.json   metrics: %s/metrics\n\n",
      url.c_str(), enterprise_a.c_str(), url.c_str(), enterprise_a.c_str(), url.c_str(),
      url.c_str(), at.c_str(), enterprise_a.c_str(), url.c_str(), url.c_str());
}

}  // namespace
}  // namespace serve_cmd

int serve_command(const Args& args) {
  using namespace serve_cmd;
  ServeOptions o;
  if (!parse_serve(args, o)) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  if (o.demo && !std::filesystem::exists(o.pack)) {
    std::fprintf(stderr,
                 "zonegate serve --demo: no policy pack at %s; run it from the repository's "
                 "root or pass --pack\n",
                 o.pack.c_str());
    return 2;
  }
  // The zones this node serves: --data first (also at the root), then each
  // --zone (a data directory made before, with its pack: `zonegate run`).
  std::vector<std::unique_ptr<ServedZone>> zones;
  o.zone.store = store_named_by_pack(o.zone.store, o.pack);
  for (size_t i = 0; i <= o.more_zones.size(); ++i) {
    auto served = std::make_unique<ServedZone>();
    served->data = i == 0 ? o.data : o.more_zones[i - 1];
    api::ZoneOptions options = o.zone;
    if (i > 0) options.store.clear();  // each directory says where its journal is
    Result<std::unique_ptr<api::Zone>> zone = api::Zone::open(
        served->data, i == 0 ? o.pack : "", options, served->events, served->metrics);
    if (!zone.is_ok()) return report(zone.status());
    served->zone = std::move(zone).value();
    Result<std::unique_ptr<api::TokenStore>> tokens = api::TokenStore::open(served->data);
    if (!tokens.is_ok()) return report(tokens.status());
    served->tokens = std::move(tokens).value();
    served->name = served->zone->shard_name();
    for (const auto& other : zones) {
      if (other->name == served->name) {
        std::fprintf(stderr, "zonegate serve: %s and %s are both shard %s\n", other->data.c_str(),
                     served->data.c_str(), served->name.c_str());
        return 2;
      }
    }
    served->api = std::make_unique<api::Api>(*served->zone, *served->tokens, served->events,
                                             served->metrics, o.api);
    zones.push_back(std::move(served));
  }
  std::vector<api::ShardRouter::Shard> routes;
  for (const auto& served : zones) {
    routes.push_back({served->name, served->api.get(), served->zone.get()});
  }
  api::ShardRouter handler(std::move(routes));
  api::Zone* const zone = zones.front()->zone.get();
  api::TokenStore* const tokens = zones.front()->tokens.get();
  api::HttpServer server(handler, o.limits);
  std::string error;
  if (!o.tls_cert.empty()) error = server.use_tls(o.tls_cert, o.tls_key);
  if (error.empty()) error = server.listen(o.listen);
  if (!error.empty()) {
    std::fprintf(stderr, "zonegate serve: %s\n", error.c_str());
    return 2;
  }
  const std::string host = o.listen.substr(0, o.listen.rfind(':'));
  const std::string url =
      (o.tls_cert.empty() ? "http://" : "https://") + host + ":" + std::to_string(server.port());
  for (const auto& served : zones) {
    served->api->set_http_counters([&server] { return server.counters(); });
    // A node of a PostgreSQL shard is known by where it listens, unless
    // named; with several zones, each is reached under its path.
    const std::string base = o.zone.advertise.empty() ? url : o.zone.advertise;
    Status joined = served->zone->join_shard(
        o.node.empty() ? host + ":" + std::to_string(server.port()) : o.node,
        zones.size() == 1 ? base : base + "/shards/" + served->name);
    if (!joined.is_ok()) return report(joined);
  }
  std::vector<DemoToken> demo_secrets;
  if (o.demo) {
    // The day is written by the shard's owner: wait for the lease.
    for (int waited = 0; !zone->is_owner() && waited < 2 * o.zone.lease_ms + 2'000; waited += 50) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!zone->is_owner()) {
      std::fputs("zonegate serve --demo: another node holds the shard's lease\n", stderr);
      return 2;
    }
    // A simulated Hengqin day (cli/simulated_day.h): the business and the gates.
    std::printf("Zonegate demo: %s\n  data: %s   pack: %s\n", zone->pack().zone_name.c_str(),
                o.data.c_str(), o.pack.c_str());
    std::fflush(stdout);
    const demo::GateDayOptions options =
        day_options(Date{2024, 9, 2}, o.demo_scale, o.demo_scale, 20240902);
    Result<SimulatedDay> day = feed_day(*zone, options, nullptr);
    if (!day.is_ok()) {
      std::fprintf(stderr, "zonegate serve --demo: the simulated day failed: %s\n",
                   day.status().first().message.c_str());
      return 2;
    }
    std::printf(
        "  demo day 2024-09-02: %zu commands, %zu accepted (%zu enterprises, %lld gate "
        "decisions), in %.1f s\n",
        day->commands, day->accepted, day->enterprises.size(),
        static_cast<long long>(day->gates.decisions), day->seconds);
    demo_secrets = demo_tokens(*tokens, day->enterprises);
  }

  // Delivers each zone's outbox to partners' inboxes (docs/exchange.md).
  for (const auto& served : zones) {
    served->courier = std::make_unique<api::Courier>(*served->zone, o.courier);
    served->api->set_courier(served->courier.get());
  }
  if (o.demo) print_demo_guide(demo_secrets, url);
  std::printf("zonegate serve: listening on %s (zone %s, seq %llu)\n", url.c_str(),
              zone->pack().zone_id.c_str(), static_cast<unsigned long long>(zone->durable_seq()));
  for (size_t i = 1; i < zones.size(); ++i) {
    std::printf("  and %s/shards/%s/ (zone %s, seq %llu)\n", url.c_str(), zones[i]->name.c_str(),
                zones[i]->zone->pack().zone_id.c_str(),
                static_cast<unsigned long long>(zones[i]->zone->durable_seq()));
  }
  std::fflush(stdout);

  // Shutting down, once: stop taking requests, let the zone finish and
  // commit what it has (its answers go out), then close.
  std::atomic<bool> stopping{false};
  std::thread closer;
  const auto shut_down = [&] {
    if (stopping.exchange(true)) return;
    for (const auto& served : zones) served->api->set_draining();
    server.stop_accepting();
    closer = std::thread([&] {
      name_this_thread("zg-closer");
      for (const auto& served : zones) {
        served->courier->stop();  // its acknowledgements go in before the zone closes
        served->zone->drain();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));  // answers on their way
      server.stop();
    });
  };
  // A failed commit leaves memory ahead of the journal: stop, so that a
  // restart rebuilds the zone from what is durable.
  std::thread watchdog([&] {
    name_this_thread("zg-watchdog");
    while (!stopping.load()) {
      bool healthy = true;
      for (const auto& served : zones) healthy = healthy && served->zone->healthy();
      if (!healthy) {
        std::fputs("zonegate serve: the journal failed; shutting down (restart to recover)\n",
                   stderr);
        shut_down();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  server.run(o.io_threads, shut_down);
  for (const auto& served : zones) served->events.forget_watchers();  // they go with the server
  stopping = true;
  watchdog.join();
  if (closer.joinable()) closer.join();
  bool healthy = true;
  for (const auto& served : zones) healthy = healthy && served->zone->healthy();
  std::fprintf(stderr, "zonegate serve: stopped at seq %llu\n",
               static_cast<unsigned long long>(zone->durable_seq()));
  return healthy ? 0 : 2;
}

}  // namespace zg::cli
