#include "api/routes.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <optional>

#include "api/exchange_views.h"
#include "api/figures_view.h"
#include "api/hs_lookup.h"
#include "api/problem.h"
#include "api/risk_views.h"
#include "api/views.h"
#include "api/web_files.h"
#include "core/currency.h"
#include "core/identifiers.h"
#include "core/json.h"
#include "core/time.h"
#include "engine/handlers.h"

namespace zg::api {
namespace {

constexpr uint8_t kEveryone = 0x1F;
constexpr uint8_t kNoToken = 0;  // the operations routes
constexpr uint8_t kZoneWide =
    role_bit(Role::kOfficer) | role_bit(Role::kAuditor) | role_bit(Role::kAdmin);
constexpr uint8_t kSenders = role_bit(Role::kEnterprise) | role_bit(Role::kOfficer) |
                             role_bit(Role::kGate) | role_bit(Role::kAdmin);
constexpr uint8_t kOwnOrZoneWide = kZoneWide | role_bit(Role::kEnterprise);
constexpr uint8_t kAdminOnly = role_bit(Role::kAdmin);

constexpr size_t kPageDefault = 100;
constexpr size_t kPageMax = 1000;

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding ('+' is a space in a query); false on a broken escape
// or when what it decodes to is not UTF-8 (every parameter is text, and
// text we echo must stay JSON).
bool url_decode(std::string_view in, bool query, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%') {
      if (i + 2 >= in.size()) return false;  // "%" or "%4" at the end
      const int hi = hex_digit(in[i + 1]);
      const int lo = hex_digit(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (query && in[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(in[i]);
    }
  }
  return is_valid_utf8(out);
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    const size_t at = text.find(sep, start);
    parts.push_back(text.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

HttpResponse json_body(std::string body, int status = 200) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

// The media type of a Content-Type header, lowercase, without parameters.
std::string media_type(std::string_view header) {
  std::string type(header.substr(0, header.find(';')));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type;
}

}  // namespace

struct Api::Call {
  HttpRequest request;
  std::string path;
  std::map<std::string, std::string, std::less<>> query;
  std::vector<std::string> params;  // the path's {…} segments, decoded
  Principal principal;
  bool authenticated = false;
  Reply reply;

  // Refuses query parameters the route does not take (a typo would
  // otherwise silently return everything).
  bool only(std::initializer_list<std::string_view> allowed) {
    for (const auto& [key, value] : query) {
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string list;
        for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        reply(problem(400, "unknown_parameter",
                      "unknown query parameter \"" + key + "\"; this route takes " +
                          (list.empty() ? std::string("none") : list),
                      path, request.request_id));
        return false;
      }
    }
    return true;
  }
  void fail(int status, std::string_view code, const std::string& detail) {
    reply(problem(status, code, detail, path, request.request_id));
  }
  // The page options; false (answered) when they are malformed.
  bool page(Page& out) {
    out.after = query.count("after") ? query["after"] : "";
    out.limit = kPageDefault;
    if (auto it = query.find("limit"); it != query.end()) {
      size_t n = 0;
      const auto [end, ec] =
          std::from_chars(it->second.data(), it->second.data() + it->second.size(), n);
      if (ec != std::errc() || end != it->second.data() + it->second.size() || n < 1 ||
          n > kPageMax) {
        fail(400, "invalid_parameter",
             "limit must be a whole number from 1 to " + std::to_string(kPageMax));
        return false;
      }
      out.limit = n;
    }
    return true;
  }
  // A whole-number query parameter; `required` or left as it is.
  bool count(std::string_view key, bool required, uint64_t& out) {
    auto it = query.find(key);
    if (it == query.end()) {
      if (required) fail(400, "missing_parameter", std::string(key) + " is required");
      return !required;
    }
    uint64_t n = 0;
    const auto [end, ec] =
        std::from_chars(it->second.data(), it->second.data() + it->second.size(), n);
    if (ec != std::errc() || end != it->second.data() + it->second.size()) {
      fail(400, "invalid_parameter", std::string(key) + " must be a whole number");
      return false;
    }
    out = n;
    return true;
  }
  bool date(std::string_view key, Date& out) {
    auto it = query.find(key);
    if (it == query.end()) return true;
    Result<Date> parsed = parse_date(it->second);
    if (!parsed.is_ok()) {
      fail(400, "invalid_parameter", std::string(key) + ": " + parsed.status().first().message);
      return false;
    }
    out = *parsed;
    return true;
  }
  // An enterprise token may only name itself.
  bool own(std::string_view uscc) {
    if (principal.role == Role::kEnterprise && uscc != principal.uscc) {
      fail(403, "wrong_tenant",
           "this token belongs to enterprise " + principal.uscc + "; it cannot read " +
               std::string(uscc) + "'s data");
      return false;
    }
    return true;
  }
};

struct Api::Route {
  std::string_view method;
  std::string_view pattern;
  uint8_t roles;
  void (Api::*handler)(Call&);
};

const std::vector<Api::Route>& Api::routes() {
  static const std::vector<Route> table = {
      {"GET", "/health", kNoToken, &Api::health},
      {"GET", "/ready", kNoToken, &Api::ready},
      {"GET", "/metrics", kNoToken, &Api::metrics},
      {"GET", "/openapi.json", kNoToken, &Api::openapi},
      {"GET", "/", kNoToken, &Api::web_index},
      {"GET", "/web/{file}", kNoToken, &Api::web_asset},
      {"GET", "/v1/me", kEveryone, &Api::me},
      {"POST", "/v1/commands", kSenders, &Api::commands},
      {"GET", "/v1/declarations", kEveryone, &Api::declarations},
      {"GET", "/v1/declarations/{number}", kEveryone, &Api::declaration},
      {"GET", "/v1/enterprises", kZoneWide, &Api::enterprises},
      {"GET", "/v1/enterprises/{uscc}", kOwnOrZoneWide, &Api::enterprise},
      {"GET", "/v1/enterprises/{uscc}/book", kOwnOrZoneWide, &Api::book},
      {"GET", "/v1/enterprises/{uscc}/lots", kOwnOrZoneWide, &Api::lots},
      {"GET", "/v1/enterprises/{uscc}/postings", kOwnOrZoneWide, &Api::postings},
      {"GET", "/v1/enterprises/{uscc}/declarations", kOwnOrZoneWide, &Api::enterprise_declarations},
      {"GET", "/v1/policy", kEveryone, &Api::policy},
      {"GET", "/v1/rates", kEveryone, &Api::rates},
      {"GET", "/v1/hs", kEveryone, &Api::hs},
      {"GET", "/v1/taxes", kZoneWide, &Api::taxes},
      {"GET", "/v1/figures", kZoneWide, &Api::figures},
      {"GET", "/v1/gates/figures", kZoneWide, &Api::gate_figures},
      {"GET", "/v1/risk", kZoneWide, &Api::risk},
      {"GET", "/v1/audit/tree-head", kEveryone, &Api::audit_tree_head},
      {"GET", "/v1/audit/tree-heads", kEveryone, &Api::audit_tree_heads},
      {"GET", "/v1/audit/inclusion", kEveryone, &Api::audit_inclusion},
      {"GET", "/v1/audit/consistency", kEveryone, &Api::audit_consistency},
      {"GET", "/v1/events", kEveryone, &Api::events},
      {"POST", "/v1/exchange/inbox", kNoToken, &Api::exchange_inbox},
      {"GET", "/v1/exchange/partners", kZoneWide, &Api::exchange_partners},
      {"GET", "/v1/exchange/outbox", kZoneWide, &Api::exchange_outbox},
      {"GET", "/v1/tokens", kAdminOnly, &Api::list_tokens},
      {"POST", "/v1/tokens", kAdminOnly, &Api::create_token},
      {"DELETE", "/v1/tokens/{id}", kAdminOnly, &Api::revoke_token},
  };
  return table;
}

std::vector<std::string> Api::route_list() {
  std::vector<std::string> out;
  for (const Route& r : routes())
    out.push_back(std::string(r.method) + " " + std::string(r.pattern));
  return out;
}

Api::Api(Zone& zone, TokenStore& tokens, EventHub& events, Metrics& metrics, ApiOptions options)
    : zone_(zone), tokens_(tokens), events_(events), metrics_(metrics), options_(options) {}

void Api::handle(HttpRequest request, Reply reply) {
  const auto started = std::chrono::steady_clock::now();
  auto call = std::make_unique<Call>();
  call->request = std::move(request);
  const std::string_view target = call->request.target;
  const size_t question = target.find('?');
  const std::string_view raw_path = target.substr(0, question);
  call->path = std::string(raw_path);

  // The route: every segment matches, a {…} one any non-empty segment.
  const Route* route = nullptr;
  bool path_known = false;
  bool broken_escape = false;  // a {…} segment with a bad %-escape
  const std::vector<std::string_view> segments = split(raw_path, '/');
  // The patterns, split once.
  static const std::vector<std::vector<std::string_view>> kPatterns = [] {
    std::vector<std::vector<std::string_view>> out;
    for (const Route& r : routes()) out.push_back(split(r.pattern, '/'));
    return out;
  }();
  for (size_t k = 0; k < routes().size(); ++k) {
    const Route& r = routes()[k];
    const std::vector<std::string_view>& pattern = kPatterns[k];
    if (pattern.size() != segments.size()) continue;
    std::vector<std::string> params;
    bool match = true;
    for (size_t i = 0; i < pattern.size() && match; ++i) {
      if (pattern[i].starts_with('{')) {
        std::string decoded;
        match = !segments[i].empty();
        if (match && !url_decode(segments[i], false, decoded)) broken_escape = true;
        params.push_back(std::move(decoded));
      } else {
        match = pattern[i] == segments[i];
      }
    }
    if (!match) continue;
    path_known = true;
    if (r.method == call->request.method) {
      route = &r;
      call->params = std::move(params);
      break;
    }
  }
  const std::string route_name = route != nullptr ? std::string(route->pattern) : "unmatched";
  // Every answer is counted, timed and logged on its way out. The handlers
  // keep copies of the reply, not the call, so the call ends here.
  struct Trace {
    std::string method, request_id;
    std::optional<Principal> principal;
  };
  auto trace = std::make_shared<Trace>(Trace{call->request.method, call->request.request_id, {}});
  call->reply = [this, started, route_name, trace, reply](HttpResponse r) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics_.request(route_name, r.status, seconds);
    log(trace->method, trace->request_id, route_name,
        trace->principal ? &*trace->principal : nullptr, r.status, seconds);
    reply(std::move(r));
  };
  Call& c = *call;

  if (route == nullptr) {
    if (path_known) {
      HttpResponse refusal =
          problem(405, "method_not_allowed", c.request.method + " is not allowed on " + c.path,
                  c.path, c.request.request_id);
      std::string allow;
      for (const Route& r : routes()) {
        const std::vector<std::string_view> pattern = split(r.pattern, '/');
        if (pattern.size() != segments.size()) continue;
        bool match = true;
        for (size_t i = 0; i < pattern.size() && match; ++i) {
          match = pattern[i].starts_with('{') || pattern[i] == segments[i];
        }
        if (match) allow += (allow.empty() ? "" : ", ") + std::string(r.method);
      }
      refusal.headers.emplace_back("Allow", allow);
      return c.reply(std::move(refusal));
    }
    return c.fail(404, "unknown_route", "there is no route " + c.path + " (see /openapi.json)");
  }
  if (broken_escape) {
    return c.fail(400, "invalid_parameter",
                  "the path has a broken %-escape or is not UTF-8: " + c.path);
  }
  if (question != std::string_view::npos) {
    for (std::string_view pair : split(target.substr(question + 1), '&')) {
      if (pair.empty()) continue;
      const size_t eq = pair.find('=');
      std::string key, value;
      if (!url_decode(pair.substr(0, eq), true, key) ||
          !url_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true, value)) {
        return c.fail(400, "invalid_parameter",
                      "a query parameter has a broken %-escape or is not UTF-8");
      }
      c.query[key] = std::move(value);
    }
  }

  if (route->roles != kNoToken) {
    const std::string_view auth = c.request.authorization;
    constexpr std::string_view kBearer = "Bearer ";
    if (auth.empty()) {
      return c.fail(401, "token_missing",
                    "this route needs a bearer token: Authorization: Bearer <token>");
    }
    if (auth.size() <= kBearer.size() || auth.substr(0, kBearer.size()) != kBearer) {
      return c.fail(401, "token_malformed", "the Authorization header must be \"Bearer <token>\"");
    }
    const double now = unix_now();
    Result<Principal> principal =
        tokens_.authenticate(auth.substr(kBearer.size()), static_cast<int64_t>(now));
    if (!principal.is_ok()) {
      if (principal.status().first().code == ErrorCode::kIoError) {
        return c.fail(503, "unavailable", "the token store cannot be read just now");
      }
      return c.fail(401, "token_refused", principal.status().first().message);
    }
    c.principal = std::move(principal).value();
    c.authenticated = true;
    trace->principal = c.principal;
    if ((route->roles & role_bit(c.principal.role)) == 0) {
      return c.fail(403, "wrong_role",
                    "a token of role " + std::string(role_name(c.principal.role)) + " cannot use " +
                        c.request.method + " " + std::string(route->pattern));
    }
    if (!allow_rate(c.principal.token_id, now)) {
      ++rate_limited_;
      HttpResponse refusal =
          problem(429, "rate_limited",
                  "this token sent more than " +
                      std::to_string(static_cast<int64_t>(options_.rate_per_second)) +
                      " requests a second; slow down",
                  c.path, c.request.request_id);
      refusal.headers.emplace_back("Retry-After", "1");
      return c.reply(std::move(refusal));
    }
  }
  (this->*route->handler)(c);
}

bool Api::allow_rate(const std::string& token_id, double now) {
  if (options_.rate_per_second <= 0) return true;
  std::lock_guard lock(buckets_mutex_);
  auto it = buckets_.find(token_id);
  if (it == buckets_.end()) {
    it = buckets_.emplace(token_id, Bucket{options_.rate_burst, now}).first;
  }
  Bucket& b = it->second;
  b.tokens = std::min(options_.rate_burst, b.tokens + (now - b.updated) * options_.rate_per_second);
  b.updated = now;
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

void Api::log(std::string_view method, std::string_view request_id, std::string_view route,
              const Principal* principal, int status, double seconds) {
  if (!options_.log_requests) return;
  std::string line;
  JsonWriter w(line);
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
  w.begin_object()
      .field("ts", format_rfc3339(Timestamp{ms / 1000, 0}))
      .field("level", status >= 500 ? "error" : "info")
      .field("request_id", request_id)
      .field("method", method)
      .field("route", route)
      .field("status", static_cast<int64_t>(status))
      .field("micros", static_cast<int64_t>(seconds * 1e6));
  if (principal != nullptr) {
    w.field("token", principal->token_id).field("role", role_name(principal->role));
  }
  w.end_object();
  line.push_back('\n');
  request_log_.write(std::move(line));
}

// ---- operations -------------------------------------------------------------

void Api::health(Call& call) {
  if (!call.only({})) return;
  call.reply(json_body(R"({"status":"ok"})"));
}

void Api::ready(Call& call) {
  if (!call.only({})) return;
  if (draining_ || !zone_.healthy()) {
    return call.fail(503, "not_ready",
                     draining_ ? "the server is shutting down"
                               : "the journal failed to commit; restart the server");
  }
  // A standby is ready for reads; "role" says whether it takes commands.
  call.reply(json_body(R"({"status":"ready","role":")" +
                       std::string(zone_.is_owner() ? "owner" : "standby") + R"(","seq":)" +
                       std::to_string(zone_.durable_seq()) + "}"));
}

void Api::metrics(Call& call) {
  if (!call.only({})) return;
  Metrics::Gauges g;
  g.last_seq = zone_.last_seq();
  g.durable_seq = zone_.durable_seq();
  g.queued = zone_.queued();
  g.results_bytes = zone_.results_bytes();
  if (http_counters_) {
    const HttpCounters h = http_counters_();
    g.connections_open = h.connections_open;
    g.connections_total = h.connections_total;
    g.timeouts = h.timeouts;
  }
  g.event_watchers = events_.watchers();
  g.tokens_rate_limited = rate_limited_.load();
  const Zone::ShardFigures shard = zone_.shard_figures();
  g.leased = shard.leased;
  g.owner = shard.owner;
  g.epoch = shard.epoch;
  g.promotions = shard.promotions;
  g.renewals_failed = shard.renewals_failed;
  g.ms_since_renewal = static_cast<uint64_t>(shard.seconds_since_renewal * 1000);
  g.stored_seq = shard.stored_seq;
  const JournalStore::Upkeep upkeep = zone_.journal_upkeep();
  g.checkpointing = upkeep.running;
  g.checkpoints_by_thread = upkeep.checkpoints_by_thread;
  g.checkpoints_by_committer = upkeep.checkpoints_by_writer;
  g.checkpoints_failed = upkeep.checkpoints_failed;
  HttpResponse response;
  response.content_type = "text/plain; version=0.0.4";
  response.body = metrics_.exposition(g);
  call.reply(std::move(response));
}

void Api::openapi(Call& call) {
  if (!call.only({})) return;
  call.reply(json_body(std::string(openapi_document())));
}

namespace {

// The web pages (docs/web.md): files only, no data — the pages read the
// API with the user's token, like any other client.
HttpResponse web_response(std::string_view name, std::string_view content) {
  HttpResponse response;
  response.content_type = std::string(web_media_type(name));
  response.body = std::string(content);
  // Only the zone's own scripts run, and nothing frames the pages.
  response.headers.emplace_back(
      "Content-Security-Policy",
      "default-src 'self'; img-src 'self' blob: data:; frame-ancestors 'none'; base-uri 'none'");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Cache-Control", "no-cache");
  return response;
}

}  // namespace

void Api::web_index(Call& call) {
  if (!call.only({})) return;
  call.reply(web_response("index.html", *web_file("index.html")));
}

void Api::web_asset(Call& call) {
  if (!call.only({})) return;
  const std::optional<std::string_view> content = web_file(call.params[0]);
  if (!content)
    return call.fail(404, "not_found", "there is no page " + call.params[0].substr(0, 64));
  call.reply(web_response(call.params[0], *content));
}

void Api::me(Call& call) {
  if (!call.only({})) return;
  std::string body;
  JsonWriter w(body);
  w.begin_object()
      .field("token_id", call.principal.token_id)
      .field("role", role_name(call.principal.role))
      .field_or_null("uscc", call.principal.uscc);
  w.field("expires_at", format_rfc3339(Timestamp{call.principal.expires_at, 0})).end_object();
  call.reply(json_body(std::move(body)));
}

// ---- commands ---------------------------------------------------------------

void Api::commands(Call& call) {
  if (!call.only({})) return;
  const std::string type = media_type(call.request.content_type);
  const bool json_lines = type == "application/x-ndjson" || type == "application/jsonl";
  if (!json_lines && type != "application/json") {
    return call.fail(415, "unsupported_media_type",
                     "send one command as application/json or a batch as "
                     "application/x-ndjson (JSON Lines), not \"" +
                         call.request.content_type + "\"");
  }
  const int64_t now = static_cast<int64_t>(unix_now());
  const std::string received_at = format_rfc3339(Timestamp{now, 0});
  Zone::Submission submission;
  submission.role = std::string(role_name(call.principal.role));
  submission.received_at = now;
  const PolicyPack& pack = zone_.pack();
  if (const PolicyVersion* v = pack.in_force(local_date(now, pack.utc_offset_minutes))) {
    if (auto it = v->at_windows.find(submission.role); it != v->at_windows.end()) {
      submission.window = it->second;
    }
  }
  const std::string_view body = call.request.body;
  if (json_lines) {
    // A line holding only blanks (a trailing "\r" too) is no command; every
    // other line is one, answered in its place.
    std::vector<std::pair<std::string_view, int64_t>> lines;  // text, line number
    int64_t number = 0;
    for (size_t start = 0; start < body.size() && lines.size() <= options_.batch_commands_max;) {
      const size_t end = std::min(body.find('\n', start), body.size());
      std::string_view line = body.substr(start, end - start);
      start = end + 1;
      ++number;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      lines.emplace_back(line, number);
    }
    if (lines.size() > options_.batch_commands_max) {
      return call.fail(413, "batch_too_large",
                       "the batch has more than " + std::to_string(options_.batch_commands_max) +
                           " commands; at most " + std::to_string(options_.batch_commands_max) +
                           " per request");
    }
    submission.commands.resize(lines.size());
    for (size_t i = 0; i < lines.size(); ++i) {
      admit_command(lines[i].first, lines[i].second, call.principal, received_at, submission.window,
                    submission.commands[i]);
    }
  } else {
    submission.commands.resize(1);
    admit_command(body, 1, call.principal, received_at, submission.window, submission.commands[0]);
  }
  Reply reply = call.reply;
  submission.json_lines = json_lines;
  submission.done = [reply, json_lines, path = call.path, zone = &zone_](const Status& status,
                                                                         std::string results) {
    if (!status.is_ok()) return reply(not_taken(status, zone->redirect_address(), path));
    HttpResponse response;
    if (json_lines) response.content_type = "application/x-ndjson";
    response.body = std::move(results);
    reply(std::move(response));
  };
  zone_.submit(std::move(submission));
}

// ---- reads ------------------------------------------------------------------

void Api::declarations(Call& call) {
  if (!call.only({"declarant", "movement", "from", "to", "lane", "release", "limit", "after"})) {
    return;
  }
  DeclarationFilter filter;
  filter.declarant = call.query.count("declarant") ? call.query["declarant"] : "";
  if (!filter.declarant.empty()) {
    // A filter that can match nothing is a mistake to say, not an empty list.
    if (Status valid = validate_uscc(filter.declarant); !valid.is_ok()) {
      return call.fail(400, "invalid_parameter", "declarant: " + valid.first().message);
    }
  }
  if (call.principal.role == Role::kEnterprise) {
    if (!filter.declarant.empty() && !call.own(filter.declarant)) return;
    filter.declarant = call.principal.uscc;  // an enterprise sees only its own
  }
  if (auto it = call.query.find("movement"); it != call.query.end()) {
    filter.movement = parse_movement(it->second);
    if (!filter.movement) {
      return call.fail(400, "invalid_parameter", "movement \"" + it->second + "\" is unknown");
    }
  }
  if (auto it = call.query.find("lane"); it != call.query.end()) {
    Lane lane;
    if (!parse_lane(it->second, lane)) {
      return call.fail(400, "invalid_parameter",
                       "lane must be green, yellow, red or blue, not \"" + it->second + "\"");
    }
    filter.lane = lane;
  }
  if (auto it = call.query.find("release"); it != call.query.end()) {
    if (it->second != "released" && it->second != "held") {
      return call.fail(400, "invalid_parameter", "release must be released or held");
    }
    filter.held = it->second == "held";
  }
  Page page;
  if (!call.date("from", filter.from) || !call.date("to", filter.to) || !call.page(page)) return;
  zone_.read([filter, page](const Engine& e) { return declarations_view(e, filter, page); },
             call.reply);
}

void Api::declaration(Call& call) {
  if (!call.only({})) return;
  zone_.read([number = call.params[0], principal = call.principal](
                 const Engine& e) { return declaration_view(e, number, principal); },
             call.reply);
}

void Api::enterprises(Call& call) {
  Page page;
  if (!call.only({"limit", "after"}) || !call.page(page)) return;
  zone_.read([page](const Engine& e) { return enterprises_view(e, page); }, call.reply);
}

void Api::enterprise(Call& call) {
  if (!call.only({}) || !call.own(call.params[0])) return;
  zone_.read([uscc = call.params[0]](const Engine& e) { return enterprise_view(e, uscc); },
             call.reply);
}

void Api::book(Call& call) {
  if (!call.only({}) || !call.own(call.params[0])) return;
  zone_.read([uscc = call.params[0]](const Engine& e) { return book_view(e, uscc); }, call.reply);
}

void Api::lots(Call& call) {
  if (!call.only({}) || !call.own(call.params[0])) return;
  zone_.read([uscc = call.params[0]](const Engine& e) { return lots_view(e, uscc); }, call.reply);
}

void Api::postings(Call& call) {
  Page page;
  if (!call.only({"limit", "after"}) || !call.own(call.params[0]) || !call.page(page)) return;
  zone_.read(
      [uscc = call.params[0], page](const Engine& e) { return postings_view(e, uscc, page); },
      call.reply);
}

void Api::enterprise_declarations(Call& call) {
  if (!call.own(call.params[0])) return;
  call.query["declarant"] = call.params[0];
  declarations(call);
}

void Api::policy(Call& call) {
  if (!call.only({"date"})) return;
  const PolicyPack& pack = zone_.pack();
  Date today = local_date(static_cast<int64_t>(unix_now()), pack.utc_offset_minutes);
  if (!call.date("date", today)) return;
  call.reply(policy_view(pack, zone_.pack_hash(), today));
}

void Api::hs(Call& call) {
  if (!call.only({"q", "limit", "date"})) return;
  const std::string q = call.query.count("q") ? call.query["q"] : "";
  if (q.empty() || q.size() > 100) {
    return call.fail(400, "invalid_parameter", "q is 1 to 100 characters: a code or words");
  }
  uint64_t limit = 20;
  if (!call.count("limit", false, limit)) return;
  if (limit < 1 || limit > 200) {
    return call.fail(400, "invalid_parameter", "limit must be a whole number from 1 to 200");
  }
  const PolicyPack& pack = zone_.pack();
  Date today = local_date(static_cast<int64_t>(unix_now()), pack.utc_offset_minutes);
  if (!call.date("date", today)) return;
  call.reply(hs_view(pack.in_force(today), q, static_cast<size_t>(limit)));
}

void Api::rates(Call& call) {
  if (!call.only({"currency", "month"})) return;
  const std::string currency = call.query.count("currency") ? call.query["currency"] : "";
  if (!currency.empty() && find_currency(currency) == nullptr) {
    return call.fail(400, "invalid_parameter",
                     "currency \"" + currency + "\" is not an ISO 4217 code (such as USD, MOP)");
  }
  std::optional<Month> month;
  if (auto it = call.query.find("month"); it != call.query.end()) {
    Result<Month> parsed = parse_month(it->second);
    if (!parsed.is_ok()) {
      return call.fail(400, "invalid_parameter", "month: " + parsed.status().first().message);
    }
    month = *parsed;
  }
  zone_.read([currency, month](const Engine& e) { return rates_view(e, currency, month); },
             call.reply);
}

void Api::taxes(Call& call) {
  Date from{0, 1, 1}, to{9999, 12, 31};
  if (!call.only({"from", "to"}) || !call.date("from", from) || !call.date("to", to)) return;
  zone_.read([from, to](const Engine& e) { return taxes_view(e, from, to); }, call.reply);
}

void Api::figures(Call& call) {
  Date from{0, 1, 1}, to{9999, 12, 31};
  if (!call.only({"from", "to"}) || !call.date("from", from) || !call.date("to", to)) return;
  zone_.read([from, to](const Engine& e) { return declaration_figures_view(e, from, to); },
             call.reply);
}

void Api::gate_figures(Call& call) {
  FigureRange range;
  if (!call.only({"from", "to", "by"}) || !call.date("from", range.from) ||
      !call.date("to", range.to)) {
    return;
  }
  // The same shape whatever the range: a client that wants days asks for them.
  if (auto it = call.query.find("by");
      it != call.query.end() && !parse_crossings_by(it->second, range.by)) {
    return call.fail(400, "invalid_parameter",
                     "by must be hour, day or hour_of_day, not \"" + it->second + "\"");
  }
  zone_.read([range](const Engine& e) { return gate_figures_view(e, range); }, call.reply);
}

// ---- the audit log (docs/audit.md) -----------------------------------------
// Tree heads and proofs cover only committed rows, and the log has its own
// lock, so they are answered here rather than on the zone's thread — except
// a head with its cosignatures, which are zone state. Every role may read
// them: they carry hashes, never an entry's content.

namespace {

std::string tree_head_body(const audit::TreeHead& head, const gate::PublicKey& key) {
  std::string body = audit::tree_head_json(head);
  body.pop_back();  // add the public key the signature checks against
  body += ",\"public_key\":\"" + audit::bytes_hex(key.data(), key.size()) + "\"}";
  return body;
}

void write_hash_list(JsonWriter& w, std::string_view key, const std::vector<audit::Hash>& list) {
  w.key(key).begin_array();
  for (const audit::Hash& h : list) w.string(audit::hash_hex(h));
  w.end_array();
}

}  // namespace

void Api::audit_tree_head(Call& call) {
  uint64_t size = 0;
  if (!call.only({"size"}) || !call.count("size", false, size)) return;
  const bool newest = call.query.count("size") == 0;
  const AuditLog* log = &zone_.audit();
  // On the zone's thread: the witnesses' cosignatures are zone state.
  zone_.read(
      [log, size, newest](const Engine& engine) {
        const std::optional<audit::TreeHead> head =
            newest ? log->latest_tree_head() : log->tree_head_of_size(size);
        if (!head) {
          return problem(404, "not_found",
                         newest ? "no tree head yet: the journal is empty"
                                : "no tree head of size " + std::to_string(size),
                         "", "");
        }
        std::string body = tree_head_body(*head, log->public_key());
        body.pop_back();
        body += ",\"cosignatures\":[";
        const auto it = engine.state().cosignatures.find(head->size);
        if (it != engine.state().cosignatures.end() && it->second.root == head->root &&
            it->second.timestamp_ms == head->timestamp_ms) {
          bool first = true;
          for (const audit::Cosignature& c : it->second.cosignatures) {
            body += std::string(first ? "" : ",") + "{\"witness\":\"" +
                    audit::bytes_hex(c.witness.data(), c.witness.size()) + "\",\"signature\":\"" +
                    audit::bytes_hex(c.signature.data(), c.signature.size()) + "\"}";
            first = false;
          }
        }
        body += "]}";
        return json_body(std::move(body));
      },
      call.reply);
}

void Api::audit_tree_heads(Call& call) {
  uint64_t after = 0;
  if (!call.only({"after", "limit"}) || !call.count("after", false, after)) return;
  Page page;
  call.query.erase("after");  // a size here, not a page cursor
  if (!call.page(page)) return;
  // One more than the page, to know whether another page follows.
  const std::vector<audit::TreeHead> heads = zone_.audit().tree_heads_after(after, page.limit + 1);
  const bool more = heads.size() > page.limit;
  std::string body;
  JsonWriter w(body);
  w.begin_object().key("items").begin_array();
  uint64_t last = 0;
  for (size_t i = 0; i < heads.size() && i < page.limit; ++i) {
    w.raw(audit::tree_head_json(heads[i]));
    last = heads[i].size;
  }
  w.end_array();
  w.field_or_null("next", more ? std::to_string(last) : "");
  w.end_object();
  call.reply(json_body(std::move(body)));
}

void Api::audit_inclusion(Call& call) {
  const AuditLog& log = zone_.audit();
  const std::optional<audit::TreeHead> head = log.latest_tree_head();
  uint64_t index = 0, size = head ? head->size : log.size();
  if (!call.only({"index", "size"}) || !call.count("index", true, index) ||
      !call.count("size", false, size)) {
    return;
  }
  Result<std::vector<audit::Hash>> proof = log.inclusion_proof(index, size);
  if (!proof.is_ok()) return call.fail(400, "invalid_parameter", proof.status().first().message);
  std::string body;
  JsonWriter w(body);
  w.begin_object().field("index", static_cast<int64_t>(index));
  w.field("seq", static_cast<int64_t>(index + 1)).field("size", static_cast<int64_t>(size));
  w.field("leaf_hash", audit::hash_hex(log.leaf(index)));
  w.field("root", audit::hash_hex(log.root(size)));
  write_hash_list(w, "proof", *proof);
  w.end_object();
  call.reply(json_body(std::move(body)));
}

void Api::audit_consistency(Call& call) {
  const AuditLog& log = zone_.audit();
  uint64_t size1 = 0, size2 = 0;
  if (!call.only({"size1", "size2"}) || !call.count("size1", true, size1) ||
      !call.count("size2", true, size2)) {
    return;
  }
  Result<std::vector<audit::Hash>> proof = log.consistency_proof(size1, size2);
  if (!proof.is_ok()) return call.fail(400, "invalid_parameter", proof.status().first().message);
  std::string body;
  JsonWriter w(body);
  w.begin_object().field("size1", static_cast<int64_t>(size1));
  w.field("size2", static_cast<int64_t>(size2));
  w.field("root1", audit::hash_hex(log.root(size1)));
  w.field("root2", audit::hash_hex(log.root(size2)));
  write_hash_list(w, "proof", *proof);
  w.end_object();
  call.reply(json_body(std::move(body)));
}

// ---- the exchange with partners (docs/exchange.md) -------------------------

// Partners post envelopes here without a token: an envelope is authentic by
// its signature, and the engine opens and checks it (receive_envelope). One
// envelope (application/json), or a courier's batch as JSON Lines, answered
// line by line and committed together.
void Api::exchange_inbox(Call& call) {
  constexpr size_t kEnvelopesMax = 1000;
  constexpr size_t kInboxBytesMax = 16u << 20;
  if (!call.only({})) return;
  const std::string type = media_type(call.request.content_type);
  const bool json_lines = type == "application/x-ndjson" || type == "application/jsonl";
  if (!json_lines && type != "application/json") {
    return call.fail(415, "unsupported_media_type",
                     "post one envelope as application/json, or several as "
                     "application/x-ndjson (JSON Lines)");
  }
  std::vector<std::string_view> lines;
  const std::string_view body = call.request.body;
  if (body.size() > kInboxBytesMax) {
    return call.fail(
        413, "body_too_large",
        "the inbox takes at most " + std::to_string(kInboxBytesMax) + " bytes a request");
  }
  if (json_lines) {
    for (size_t start = 0; start < body.size() && lines.size() <= kEnvelopesMax;) {
      const size_t end = std::min(body.find('\n', start), body.size());
      const std::string_view line = body.substr(start, end - start);
      start = end + 1;
      if (line.find_first_not_of(" \t\r") != std::string_view::npos) lines.push_back(line);
    }
    if (lines.size() > kEnvelopesMax) {
      return call.fail(413, "batch_too_large",
                       "at most " + std::to_string(kEnvelopesMax) + " envelopes per request");
    }
  } else {
    lines.push_back(body);
  }
  const int64_t now = static_cast<int64_t>(unix_now());
  const std::string received_at = format_rfc3339(Timestamp{now, 0});
  Zone::Submission submission;
  submission.role = "partner";
  submission.received_at = now;
  submission.json_lines = true;
  // Envelopes refused before the zone sees them, by line; nullopt: submitted.
  std::vector<std::optional<InboxAnswer>> early(lines.size());
  const std::string zone_name = zone_party_name(zone_.pack());
  const Principal inbox{std::string(kInboxPrincipal), Role::kAdmin, "",
                        0};  // the envelope's signature decides
  for (size_t i = 0; i < lines.size(); ++i) {
    Result<std::string> command = inbox_command(lines[i], zone_name);
    if (!command.is_ok()) {
      early[i] = inbox_refusal("invalid_envelope", command.status().first().message);
      continue;
    }
    submission.commands.emplace_back();
    admit_command(*command, static_cast<int64_t>(i + 1), inbox, received_at, std::nullopt,
                  submission.commands.back());
  }
  Reply reply = call.reply;
  const auto answer = [reply, json_lines, path = call.path, zone = &zone_,
                       early = std::move(early)](const Status& status, std::string results) {
    if (!status.is_ok()) return reply(not_taken(status, zone->redirect_address(), path));
    std::vector<InboxAnswer> answers;
    size_t at = 0;
    for (const std::optional<InboxAnswer>& refused : early) {
      if (refused) {
        answers.push_back(*refused);
        continue;
      }
      if (at >= results.size()) {  // one result per command: cannot happen
        answers.push_back(inbox_refusal("internal", "the zone gave no answer for this envelope"));
        continue;
      }
      const size_t end = std::min(results.find('\n', at), results.size());
      answers.push_back(inbox_answer(std::string_view(results).substr(at, end - at)));
      at = end + 1;
    }
    if (!json_lines) {
      const InboxAnswer& one = answers.front();
      if (!one.ok) return reply(problem(one.status, one.code, one.detail, path));
      HttpResponse response;
      response.body = one.json;
      return reply(std::move(response));
    }
    HttpResponse response;
    response.content_type = "application/x-ndjson";
    for (const InboxAnswer& a : answers) response.body += a.json + "\n";
    reply(std::move(response));
  };
  if (submission.commands.empty()) return answer(Status::ok(), "");
  submission.done = answer;
  zone_.submit(std::move(submission));
}

void Api::risk(Call& call) {
  if (!call.only({"date"})) return;
  Date today = local_date(static_cast<int64_t>(unix_now()), zone_.pack().utc_offset_minutes);
  if (!call.date("date", today)) return;
  zone_.read([today](const Engine& e) { return risk_view(e, today); }, call.reply);
}

void Api::exchange_partners(Call& call) {
  if (!call.only({})) return;
  zone_.read([](const Engine& e) { return partners_view(e); }, call.reply);
}

void Api::exchange_outbox(Call& call) {
  uint64_t limit = kPageDefault;
  if (!call.only({"limit"}) || !call.count("limit", false, limit)) return;
  if (limit < 1 || limit > kPageMax) {
    return call.fail(400, "invalid_parameter",
                     "limit must be a whole number from 1 to " + std::to_string(kPageMax));
  }
  const Courier* courier = courier_.load();
  std::map<std::string, LinkStatus> links;
  if (courier != nullptr) links = courier->links();
  zone_.read([links = std::move(links),
              limit](const Engine& e) { return outbox_view(e, links, static_cast<size_t>(limit)); },
             call.reply);
}

void Api::events(Call& call) {
  if (!call.only({"after"})) return;
  std::string after_text = call.request.last_event_id;
  if (auto it = call.query.find("after"); it != call.query.end()) after_text = it->second;
  uint64_t after = zone_.durable_seq();  // by default, only what comes next
  if (!after_text.empty()) {
    const auto [end, ec] =
        std::from_chars(after_text.data(), after_text.data() + after_text.size(), after);
    if (ec != std::errc() || end != after_text.data() + after_text.size()) {
      return call.fail(400, "invalid_parameter",
                       "after (or Last-Event-ID) must be a sequence number");
    }
  }
  if (after < events_.resumable_from()) {
    return call.fail(410, "events_gone",
                     "events up to seq " + std::to_string(events_.resumable_from()) +
                         " are no longer kept; read /v1/declarations and resume after that");
  }
  HttpResponse stream;
  stream.on_stream = [this, principal = call.principal, after](std::shared_ptr<EventSink> sink) {
    events_.watch(std::move(sink), principal, after);
  };
  call.reply(std::move(stream));
}

// ---- tokens -----------------------------------------------------------------

void Api::create_token(Call& call) {
  if (!call.only({})) return;
  JsonDocument body;
  if (!body.parse(call.request.body).is_ok() || !body.root().is_object()) {
    return call.fail(400, "malformed_json",
                     R"(the body must be a JSON object: {"role": …, "uscc": …, "days": …})");
  }
  const JsonRef role_value = body.root().get("role");
  const std::optional<Role> role =
      role_value.is_string() ? parse_role(role_value.text()) : std::nullopt;
  if (!role) {
    return call.fail(400, "invalid_field",
                     "role must be enterprise, officer, gate, auditor or admin");
  }
  int64_t days = 90;
  if (const JsonRef d = body.root().get("days"); d.exists()) {
    const std::string_view text = d.kind() == JsonKind::kNumber ? d.text() : "";
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), days);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || days < 1 ||
        days > 3650) {
      return call.fail(400, "invalid_field", "days must be a whole number from 1 to 3650");
    }
  }
  const JsonRef uscc = body.root().get("uscc");
  const JsonRef note = body.root().get("note");
  Result<CreatedToken> created =
      tokens_.create(*role, uscc.is_string() ? uscc.text() : "", static_cast<int64_t>(unix_now()),
                     days * 86400, note.is_string() ? note.text() : "");
  if (!created.is_ok()) {
    const Error& e = created.status().first();
    return call.fail(e.code == ErrorCode::kIoError ? 503 : 400,
                     e.code == ErrorCode::kIoError ? "unavailable" : error_code_name(e.code),
                     e.message);
  }
  std::string out;
  JsonWriter w(out);
  const Principal& p = created->principal;
  w.begin_object()
      .field("id", p.token_id)
      .field("role", role_name(p.role))
      .field_or_null("uscc", p.uscc);
  w.field("expires_at", format_rfc3339(Timestamp{p.expires_at, 0}))
      .field("token", created->secret)
      .end_object();
  call.reply(json_body(std::move(out), 201));
}

void Api::list_tokens(Call& call) {
  if (!call.only({})) return;
  Result<std::vector<TokenInfo>> list = tokens_.list();
  if (!list.is_ok()) return call.fail(503, "unavailable", list.status().first().message);
  std::string out;
  JsonWriter w(out);
  w.begin_object().key("items").begin_array();
  for (const TokenInfo& t : *list) {
    w.begin_object()
        .field("id", t.principal.token_id)
        .field("role", role_name(t.principal.role))
        .field_or_null("uscc", t.principal.uscc);
    w.field("created_at", format_rfc3339(Timestamp{t.created_at, 0}))
        .field("expires_at", format_rfc3339(Timestamp{t.principal.expires_at, 0}))
        .key("revoked_at");
    if (t.revoked_at) {
      w.string(format_rfc3339(Timestamp{*t.revoked_at, 0}));
    } else {
      w.null();
    }
    w.field("note", t.note).end_object();
  }
  w.end_array().key("next").null().end_object();
  call.reply(json_body(std::move(out)));
}

void Api::revoke_token(Call& call) {
  if (!call.only({})) return;
  Status status = tokens_.revoke(call.params[0]);
  if (!status.is_ok()) {
    if (status.first().code == ErrorCode::kIoError) {
      return call.fail(503, "unavailable", status.first().message);
    }
    return call.fail(404, "unknown_token", "no token has the id " + call.params[0]);
  }
  HttpResponse done;
  done.status = 204;
  done.content_type = "application/json";
  call.reply(std::move(done));
}

}  // namespace zg::api
