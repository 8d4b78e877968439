#include "store/store_spec.h"

#include <string_view>
#include <vector>

namespace zg {
namespace {

bool valid_shard(std::string_view name) {
  if (name.empty() || name.size() > kShardNameBytesMax) return false;
  if (name[0] < 'a' || name[0] > 'z') return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  // pg_* schemas are the server's own.
  return name.substr(0, 3) != "pg_";
}

Result<StoreSpec> usage(const std::string& why) {
  return Result<StoreSpec>(ErrorCode::kUsage, "", "--store: " + why);
}

}  // namespace

std::string redact_password(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const size_t authority = scheme + 3;
  const size_t end = url.find_first_of("/?", authority);
  const size_t at = url.rfind('@', end == std::string::npos ? url.size() : end);
  if (at == std::string::npos || at < authority) return url;
  const size_t colon = url.find(':', authority);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon) + url.substr(at);
}

Result<StoreSpec> parse_store_spec(const std::string& text) {
  StoreSpec spec;
  if (text == "sqlite") {
    spec.recorded = "sqlite";
    return spec;
  }
  if (text.rfind("postgresql://", 0) != 0 && text.rfind("postgres://", 0) != 0) {
    return usage("takes sqlite or a postgresql://USER@HOST:PORT/DB URL, not " +
                 redact_password(text));
  }
  spec.kind = StoreSpec::Kind::kPostgres;
  spec.shard = kDefaultShard;
  const size_t question = text.find('?');
  std::string base = text.substr(0, question);
  std::vector<std::string> kept;  // query parameters for libpq, in order
  if (question != std::string::npos) {
    std::string_view query = std::string_view(text).substr(question + 1);
    while (!query.empty()) {
      const size_t amp = query.find('&');
      const std::string_view param = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
      if (param.empty()) continue;
      if (param.rfind("shard=", 0) == 0) {
        spec.shard = std::string(param.substr(6));
      } else {
        kept.emplace_back(param);
      }
    }
  }
  if (!valid_shard(spec.shard)) {
    return usage("the shard name '" + spec.shard + "' is not 1 to " +
                 std::to_string(kShardNameBytesMax) +
                 " lower-case letters, digits or _ starting with a letter (and not pg_…)");
  }
  std::string params;
  for (const std::string& param : kept) params += (params.empty() ? "?" : "&") + param;
  spec.url = base + params;
  spec.recorded = redact_password(base) + "?shard=" + spec.shard;
  for (const std::string& param : kept) {
    // Neither password libpq takes is written down or shown.
    if (param.rfind("password=", 0) != 0 && param.rfind("sslpassword=", 0) != 0) {
      spec.recorded += "&" + param;
    }
  }
  return spec;
}

std::string with_default_shard(const std::string& store, const std::string& shard) {
  const bool postgres = store.rfind("postgresql://", 0) == 0 || store.rfind("postgres://", 0) == 0;
  const size_t question = store.find('?');
  const bool named = question != std::string::npos && (store.find("?shard=") != std::string::npos ||
                                                       store.find("&shard=") != std::string::npos);
  if (!postgres || named || !valid_shard(shard)) return store;
  return store + (question == std::string::npos ? "?" : "&") + "shard=" + shard;
}

}  // namespace zg
