#include "api/shard_router.h"

#include "api/problem.h"
#include "core/json.h"

namespace zg::api {
namespace {

constexpr std::string_view kPrefix = "/shards";

HttpResponse shard_list(const std::vector<ShardRouter::Shard>& shards) {
  HttpResponse response;
  JsonWriter w(response.body);
  w.begin_object().key("shards").begin_array();
  for (const ShardRouter::Shard& shard : shards) {
    w.begin_object();
    w.key("shard").string(shard.name);
    w.key("zone").string(shard.zone->pack().zone_id);
    w.key("path").string(std::string(kPrefix) + "/" + shard.name);
    w.key("role").string(shard.zone->is_owner() ? "owner" : "standby");
    w.key("seq").number(static_cast<int64_t>(shard.zone->durable_seq()));
    w.key("owner").string(shard.zone->owner_address());
    w.end_object();
  }
  w.end_array().end_object();
  return response;
}

}  // namespace

void ShardRouter::handle(HttpRequest request, Reply reply) {
  const std::string_view target = request.target;
  const bool under = target.substr(0, kPrefix.size()) == kPrefix;
  const std::string_view rest = under ? target.substr(kPrefix.size()) : target;
  if (!under || (!rest.empty() && rest[0] != '/' && rest[0] != '?')) {
    return shards_.front().api->handle(std::move(request), std::move(reply));  // the default zone
  }
  if (rest.empty() || rest[0] == '?' || rest == "/" || rest.substr(0, 2) == "/?") {
    if (request.method != "GET" && request.method != "HEAD") {
      return reply(problem(405, "method_not_allowed", "GET /shards lists this node's shards",
                           std::string(target)));
    }
    return reply(shard_list(shards_));
  }
  // /shards/NAME/…: NAME's API sees the rest of the path.
  const size_t end = rest.find_first_of("/?", 1);
  const std::string_view name = rest.substr(1, end == std::string_view::npos ? end : end - 1);
  for (const Shard& shard : shards_) {
    if (shard.name != name) continue;
    std::string inner = end == std::string_view::npos ? "/" : std::string(rest.substr(end));
    if (inner[0] == '?') inner = "/" + inner;
    // The web pages call /v1/… at the root, the first zone's: under another
    // zone's path they would show and change the wrong zone.
    const bool api = inner.rfind("/v1/", 0) == 0 || inner.rfind("/ready", 0) == 0 ||
                     inner.rfind("/health", 0) == 0 || inner.rfind("/metrics", 0) == 0 ||
                     inner.rfind("/openapi.json", 0) == 0;
    if (!api && &shard != &shards_.front()) {
      return reply(problem(404, "not_found",
                           "the web pages are the first zone's (" + shards_.front().name +
                               ", at /); under /shards/" + shard.name + "/ only the API",
                           std::string(target)));
    }
    request.target = std::move(inner);
    return shard.api->handle(std::move(request), std::move(reply));
  }
  reply(problem(404, "unknown_shard",
                "this node serves no shard " + std::string(name) + " (GET /shards lists them)",
                std::string(target)));
}

}  // namespace zg::api
