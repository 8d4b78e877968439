// The HTTP API's routes (docs/openapi.json): who may call each, how its
// parameters are read, and which view or command path answers it. The
// handler the HTTP server calls for every request.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "api/courier.h"
#include "api/events.h"
#include "api/http.h"
#include "api/metrics.h"
#include "api/request_log.h"
#include "api/tokens.h"
#include "api/zone.h"

namespace zg::api {

struct ApiOptions {
  size_t batch_commands_max = 10'000;  // commands in one JSON Lines request
  // Each token's requests per second, and the burst it may save up; 0: no limit.
  double rate_per_second = 1000;
  double rate_burst = 2000;
  bool log_requests = true;  // one JSON line per request on standard error
};

class Api : public HttpHandler {
 public:
  Api(Zone& zone, TokenStore& tokens, EventHub& events, Metrics& metrics, ApiOptions options);
  void handle(HttpRequest request, Reply reply) override;
  // Where /metrics finds the server's connection figures.
  void set_http_counters(std::function<HttpCounters()> counters) {
    http_counters_ = std::move(counters);
  }
  // Every route, as "METHOD /path/{param}" (the OpenAPI test compares them).
  static std::vector<std::string> route_list();
  // The courier whose links GET /v1/exchange/outbox reports (nullptr: none).
  void set_courier(const Courier* courier) { courier_ = courier; }
  // Starts refusing new work (graceful shutdown): /ready turns 503.
  void set_draining() { draining_ = true; }

  struct Call;  // one request on its way through a route (routes.cc)

 private:
  bool allow_rate(const std::string& token_id, double now);
  void log(std::string_view method, std::string_view request_id, std::string_view route,
           const Principal* principal, int status, double seconds);

  void health(Call& call);
  void ready(Call& call);
  void metrics(Call& call);
  void openapi(Call& call);
  void me(Call& call);
  void commands(Call& call);
  void declarations(Call& call);
  void declaration(Call& call);
  void enterprises(Call& call);
  void enterprise(Call& call);
  void book(Call& call);
  void lots(Call& call);
  void postings(Call& call);
  void enterprise_declarations(Call& call);
  void policy(Call& call);
  void rates(Call& call);
  void taxes(Call& call);
  void gate_figures(Call& call);
  void audit_tree_head(Call& call);
  void audit_tree_heads(Call& call);
  void audit_inclusion(Call& call);
  void audit_consistency(Call& call);
  void events(Call& call);
  void exchange_inbox(Call& call);
  void exchange_outbox(Call& call);
  void exchange_partners(Call& call);
  void risk(Call& call);
  void figures(Call& call);
  void hs(Call& call);
  void web_index(Call& call);
  void web_asset(Call& call);
  void create_token(Call& call);
  void list_tokens(Call& call);
  void revoke_token(Call& call);

  struct Route;
  static const std::vector<Route>& routes();

  Zone& zone_;
  TokenStore& tokens_;
  EventHub& events_;
  Metrics& metrics_;
  const ApiOptions options_;
  std::function<HttpCounters()> http_counters_;
  std::atomic<const Courier*> courier_{nullptr};
  std::atomic<bool> draining_{false};
  struct Bucket {
    double tokens = 0;
    double updated = 0;
  };
  std::mutex buckets_mutex_;
  std::map<std::string, Bucket, std::less<>> buckets_;
  std::atomic<uint64_t> rate_limited_{0};
  RequestLog request_log_;
};

// The OpenAPI document (docs/openapi.json, built into the binary).
std::string_view openapi_document();

}  // namespace zg::api
