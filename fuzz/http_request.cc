// Requests at the HTTP API, after the wire format (Boost.Beast reads that):
// the routes, their parameters, tokens and roles, the command door and the
// zone behind them, on a real data directory with the Hengqin pack.
//
// The input is a request in a small text form:
//   line 1: METHOD TARGET            ("POST /v1/commands")
//   line 2: who sends it: "officer", "enterprise" (the USCC registered at
//           set-up), "admin", "none", or anything else as the literal
//           Authorization header
//   line 3: the Content-Type
//   rest:   the body
// For every request: exactly one answer, with a status of 200-599 and never
// 500 (an error the server did not foresee); a JSON answer is JSON.
//
// One zone serves the whole run, as a server does: what earlier inputs
// registered or declared is there for later ones, which is what lets the
// fuzzer reach deep into the routes. A crash may therefore need the inputs
// before it; libFuzzer's log of the run and its corpus give them.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <string_view>

#include "api/events.h"
#include "api/metrics.h"
#include "api/routes.h"
#include "api/tokens.h"
#include "api/zone.h"
#include "core/json.h"
#include "fuzz_check.h"

namespace {

constexpr std::string_view kEnterprise = "914404000MA4W2X016";  // the contract examples' enterprise

struct Server {
  zg::api::EventHub events;
  zg::api::Metrics metrics;
  std::unique_ptr<zg::api::Zone> zone;
  std::unique_ptr<zg::api::TokenStore> tokens;
  std::unique_ptr<zg::api::Api> api;
  std::string officer, enterprise, admin;  // "Bearer <secret>"
};

std::string bearer(zg::api::TokenStore& tokens, zg::api::Role role, std::string_view uscc) {
  const auto created = tokens.create(role, uscc, std::time(nullptr), 86400 * 365, "fuzz");
  zg::fuzz::check(created.is_ok(), "a token is issued",
                  created.is_ok() ? "" : created.status().first().message);
  return "Bearer " + created->secret;
}

struct Answer {
  std::promise<zg::api::HttpResponse> promise;
  std::atomic<int> replies{0};
};

zg::api::HttpResponse ask(Server& s, zg::api::HttpRequest request) {
  auto answer = std::make_shared<Answer>();
  std::future<zg::api::HttpResponse> future = answer->promise.get_future();
  s.api->handle(std::move(request), [answer](zg::api::HttpResponse response) {
    zg::fuzz::check(answer->replies.fetch_add(1) == 0, "a request is answered once");
    answer->promise.set_value(std::move(response));
  });
  zg::fuzz::check(future.wait_for(std::chrono::seconds(30)) == std::future_status::ready,
                  "a request is answered within 30 s");
  return future.get();
}

Server& server() {
  static Server* s = [] {
    auto* made = new Server;
    const std::string dir = zg::fuzz::scratch_directory("http") + "/zone";
    auto zone = zg::api::Zone::open(dir, zg::fuzz::hengqin_pack(), {}, made->events, made->metrics);
    zg::fuzz::check(zone.is_ok(), "the zone opens",
                    zone.is_ok() ? "" : zone.status().first().message);
    made->zone = std::move(zone).value();
    auto tokens = zg::api::TokenStore::open(dir);
    zg::fuzz::check(tokens.is_ok(), "the token store opens");
    made->tokens = std::move(tokens).value();
    zg::api::ApiOptions options;
    options.rate_per_second = 0;  // the fuzzer is faster than any client
    options.log_requests = false;
    made->api = std::make_unique<zg::api::Api>(*made->zone, *made->tokens, made->events,
                                               made->metrics, options);
    made->officer = bearer(*made->tokens, zg::api::Role::kOfficer, "");
    made->admin = bearer(*made->tokens, zg::api::Role::kAdmin, "");
    made->enterprise = bearer(*made->tokens, zg::api::Role::kEnterprise, kEnterprise);
    return made;
  }();
  return *s;
}

// Splits off the text up to the next newline.
std::string_view line(std::string_view& rest) {
  const size_t end = rest.find('\n');
  const std::string_view first = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  return first;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  server();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Server& s = server();
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string_view request_line = line(rest);
  const std::string_view who = line(rest);
  const std::string_view content_type = line(rest);

  zg::api::HttpRequest request;
  const size_t space = request_line.find(' ');
  request.method = std::string(request_line.substr(0, space));
  request.target =
      space == std::string_view::npos ? "/" : std::string(request_line.substr(space + 1));
  if (who == "officer") {
    request.authorization = s.officer;
  } else if (who == "enterprise") {
    request.authorization = s.enterprise;
  } else if (who == "admin") {
    request.authorization = s.admin;
  } else if (who != "none") {
    request.authorization = std::string(who);
  }
  request.content_type = std::string(content_type);
  request.body = std::string(rest);
  request.request_id = "fuzz";

  const zg::api::HttpResponse response = ask(s, std::move(request));
  zg::fuzz::check(response.status >= 200 && response.status <= 599, "a status is 200-599",
                  std::to_string(response.status));
  zg::fuzz::check(response.status != 500, "no error the server did not foresee", response.body);
  if (response.content_type.find("json") != std::string::npos && !response.on_stream) {
    zg::JsonDocument document;
    if (response.content_type.find("ndjson") == std::string::npos) {
      zg::fuzz::check(document.parse(response.body).is_ok(), "a JSON answer is JSON",
                      response.body);
    } else {  // JSON Lines (a batch's results): a document a line
      std::string_view body = response.body;
      while (!body.empty()) {
        const std::string_view one = line(body);
        if (!one.empty()) {
          zg::fuzz::check(document.parse(one).is_ok(), "a JSON Lines answer is JSON", one);
        }
      }
    }
  }
  return 0;
}
