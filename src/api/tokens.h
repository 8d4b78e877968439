// Bearer tokens for the server: who a request acts as (a role, and for an enterprise its
// USCC), and the store that issues, checks and revokes them.
//
// A token's secret is `zgt_<id>_<random>`: the id is 12 lowercase hex characters (6 random
// bytes) and names the token in lists and logs; the random part is 32 random bytes in
// base64url without padding (43 characters). Only the SHA-256 of the whole secret is kept,
// so neither the store's file nor its memory can give a token away.
//
// The store is DIR/tokens.db (SQLite, WAL, synchronous=FULL) beside the journal. Several
// processes may use it at once: `zonegate token create` while `zonegate serve` runs. A token
// created elsewhere is valid at once (a lookup that misses the cache reads the database); one
// revoked elsewhere stops working when its cache entry ages out (2 s by default). One revoked
// through the same TokenStore stops working at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace zg::api {

enum class Role : uint8_t { kEnterprise, kOfficer, kGate, kAuditor, kAdmin };

// "enterprise", "officer", "gate", "auditor", "admin".
std::string_view role_name(Role role);
// The exact lowercase names above; anything else is nullopt.
std::optional<Role> parse_role(std::string_view text);

// Who a request acts as.
struct Principal {
  std::string token_id;  // public id of the token (12 lowercase hex chars)
  Role role = Role::kEnterprise;
  std::string uscc;        // the enterprise's USCC for kEnterprise; empty otherwise
  int64_t expires_at = 0;  // unix seconds; the token is refused from this instant on
};

// A token as `list` shows it: never its secret or hash.
struct TokenInfo {
  Principal principal;
  int64_t created_at = 0;  // unix seconds
  std::optional<int64_t> revoked_at;
  std::string note;
};

// A newly issued token. The secret is shown to its holder once and kept nowhere.
struct CreatedToken {
  Principal principal;
  std::string secret;
};

// Thread-safe: the server's I/O threads authenticate concurrently. Times are unix seconds
// passed in by the caller, so tests control them; only the cache's ageing reads a clock.
class TokenStore {
 public:
  static constexpr std::chrono::milliseconds kDefaultCacheLifetime{2000};
  // Lifetime limits for create (ttl_seconds): at least a second, at most ten years.
  static constexpr int64_t kMaxTtlSeconds = int64_t{3650} * 86400;
  static constexpr size_t kMaxNoteBytes = 200;

  // Opens (creating if absent) DIR/tokens.db. DIR must already exist. A file that is not
  // ours, or of a newer format, is refused untouched (kUnsupportedFormat); SQLite failures
  // are kIoError. `cache_lifetime` bounds how long a revocation made by another process can
  // go unnoticed; zero turns the cache off.
  static Result<std::unique_ptr<TokenStore>> open(
      const std::string& data_dir,
      std::chrono::milliseconds cache_lifetime = kDefaultCacheLifetime);
  ~TokenStore();
  TokenStore(const TokenStore&) = delete;
  TokenStore& operator=(const TokenStore&) = delete;

  // Issues a token valid from `now` until now + ttl_seconds. An enterprise token needs the
  // enterprise's valid USCC (kInvalidUscc, field "uscc"); other roles must have none
  // (kInvalidField, "uscc"). ttl_seconds is 1..kMaxTtlSeconds and the note at most
  // kMaxNoteBytes with no control characters (kInvalidField).
  Result<CreatedToken> create(Role role, std::string_view uscc, int64_t now, int64_t ttl_seconds,
                              std::string_view note);

  // The principal for a presented bearer secret. Every refusal is kForbidden with a message
  // for people: malformed, unknown (also a known id with the wrong secret: the two are not
  // told apart), expired (saying when), revoked. A database failure is kIoError.
  Result<Principal> authenticate(std::string_view secret, int64_t now);

  // Marks a token revoked at `now` (a token already revoked keeps its first time). An id
  // that names no token is kInvalidField, field "token_id". The one-argument form stamps
  // the revocation with the system clock.
  Status revoke(std::string_view token_id, int64_t now);
  Status revoke(std::string_view token_id);

  // Every token, oldest first.
  Result<std::vector<TokenInfo>> list();

 private:
  struct Impl;
  explicit TokenStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace zg::api
