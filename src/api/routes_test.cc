#include "api/routes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "api/shard_router.h"
#include "core/json.h"

namespace zg::api {
namespace {

// The published description (docs/openapi.json, built in) and the server's
// route table say the same: every route is described, and nothing else is.
TEST(OpenApi, DescribesEveryRouteAndNothingElse) {
  JsonDocument doc;
  ASSERT_TRUE(doc.parse(openapi_document()).is_ok());
  ASSERT_TRUE(doc.root().get("openapi").text().starts_with("3.1"));
  std::set<std::string> described;
  for (JsonRef path : doc.root().get("paths")) {
    for (JsonRef operation : path) {
      std::string method(operation.key());
      if (method == "parameters" || method == "summary" || method == "description") continue;
      std::transform(method.begin(), method.end(), method.begin(), ::toupper);
      described.insert(method + " " + std::string(path.key()));
    }
  }
  std::vector<std::string> routes = Api::route_list();
  for (std::string& route : ShardRouter::route_list()) routes.push_back(std::move(route));
  const std::set<std::string> served(routes.begin(), routes.end());
  for (const std::string& route : served) {
    EXPECT_TRUE(described.count(route)) << route << " is served but not in docs/openapi.json";
  }
  for (const std::string& route : described) {
    EXPECT_TRUE(served.count(route)) << route << " is in docs/openapi.json but not served";
  }
}

// Every /v1 operation but the partners' inbox needs a token; the operations
// routes need none.
TEST(OpenApi, SecurityMatchesTheRoutes) {
  JsonDocument doc;
  ASSERT_TRUE(doc.parse(openapi_document()).is_ok());
  ASSERT_TRUE(doc.root().get("security").is_array());
  for (JsonRef path : doc.root().get("paths")) {
    // The partners' inbox takes envelopes, authentic by their signatures.
    const bool v1 = path.key().starts_with("/v1/") && path.key() != "/v1/exchange/inbox";
    for (JsonRef operation : path) {
      if (!operation.is_object()) continue;
      const JsonRef security = operation.get("security");
      if (v1) {
        EXPECT_TRUE(!security.exists() || security.size() > 0) << path.key();
      } else {
        EXPECT_TRUE(security.is_array() && security.size() == 0) << path.key();
      }
    }
  }
}

}  // namespace
}  // namespace zg::api
