// One node, several zones: each zone (a shard) is served under
// /shards/NAME/ (its own API, tokens, events and metrics), and the first
// also at the root, as a node with one zone always was. GET /shards lists
// the node's shards with their role (owner or standby) and journal length.
#pragma once

#include <string>
#include <vector>

#include "api/http.h"
#include "api/routes.h"
#include "api/zone.h"

namespace zg::api {

class ShardRouter final : public HttpHandler {
 public:
  struct Shard {
    std::string name;  // the PostgreSQL shard, or the pack's zone id on SQLite
    Api* api = nullptr;
    const Zone* zone = nullptr;
  };
  // `shards` in order; the first is the default (served at / too).
  explicit ShardRouter(std::vector<Shard> shards) : shards_(std::move(shards)) {}
  void handle(HttpRequest request, Reply reply) override;
  // The routes the router answers itself ("GET /shards"), for the OpenAPI check.
  static std::vector<std::string> route_list() { return {"GET /shards"}; }

 private:
  std::vector<Shard> shards_;
};

}  // namespace zg::api
