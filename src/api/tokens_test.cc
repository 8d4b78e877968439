// Bearer tokens: issuing, checking, revoking, and sharing one tokens.db between processes
// (two TokenStore instances on one directory stand in for the server and the CLI).
#include "api/tokens.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <atomic>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/temp_dir.h"

namespace zg::api {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr std::string_view kUscc = "914404000MA4W2X016";  // the contract's example
constexpr int64_t kNow = 1'714'000'000;                   // 2024-04-24T23:06:40Z
constexpr int64_t kDay = 86400;

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::unique_ptr<TokenStore> open_store(const TempDir& dir,
                                       milliseconds cache = TokenStore::kDefaultCacheLifetime) {
  auto store = TokenStore::open(dir.path(), cache);
  EXPECT_TRUE(store.is_ok()) << store.status().first().message;
  return store.is_ok() ? std::move(store).value() : nullptr;
}

CreatedToken must_create(TokenStore& store, Role role = Role::kOfficer, std::string_view uscc = "",
                         int64_t ttl = 90 * kDay) {
  Result<CreatedToken> token = store.create(role, uscc, kNow, ttl, "test");
  EXPECT_TRUE(token.is_ok()) << token.status().first().message;
  return token.is_ok() ? std::move(token).value() : CreatedToken{};
}

// The refusal's message, or "" if the secret was accepted; fails the test on a non-kForbidden
// error.
std::string refusal(TokenStore& store, std::string_view secret, int64_t now = kNow) {
  Result<Principal> principal = store.authenticate(secret, now);
  if (principal.is_ok()) return "";
  EXPECT_EQ(principal.status().first().code, ErrorCode::kForbidden);
  return principal.status().first().message;
}

TEST(TokenRoles, NamesRoundTripExactly) {
  for (Role role : {Role::kEnterprise, Role::kOfficer, Role::kGate, Role::kAuditor, Role::kAdmin}) {
    EXPECT_EQ(parse_role(role_name(role)), role);
  }
  EXPECT_EQ(role_name(Role::kAuditor), "auditor");
  for (std::string_view bad : {"", "Admin", "admin ", "root", "enterprises"}) {
    EXPECT_FALSE(parse_role(bad).has_value()) << bad;
  }
}

TEST(TokenStore, CreatesAndAuthenticatesEveryRole) {
  TempDir dir("zg-tokens-test");
  auto store = open_store(dir);
  ASSERT_NE(store, nullptr);
  const struct {
    Role role;
    std::string_view uscc;
  } cases[] = {{Role::kEnterprise, kUscc},
               {Role::kOfficer, ""},
               {Role::kGate, ""},
               {Role::kAuditor, ""},
               {Role::kAdmin, ""}};
  for (const auto& c : cases) {
    SCOPED_TRACE(role_name(c.role));
    const CreatedToken token = must_create(*store, c.role, c.uscc, 7 * kDay);
    const Principal& issued = token.principal;
    ASSERT_EQ(token.secret.size(), 60u);
    EXPECT_EQ(token.secret.substr(0, 4), "zgt_");
    EXPECT_EQ(token.secret.substr(4, 12), issued.token_id);
    EXPECT_EQ(token.secret[16], '_');
    EXPECT_EQ(issued.token_id.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_EQ(issued.expires_at, kNow + 7 * kDay);

    // Twice: from the database, then from the cache.
    for (int round = 0; round < 2; ++round) {
      Result<Principal> principal = store->authenticate(token.secret, kNow + 1);
      ASSERT_TRUE(principal.is_ok()) << principal.status().first().message;
      EXPECT_EQ(principal->token_id, issued.token_id);
      EXPECT_EQ(principal->role, c.role);
      EXPECT_EQ(principal->uscc, c.uscc);
      EXPECT_EQ(principal->expires_at, issued.expires_at);
    }
  }
}

TEST(TokenStore, RefusesWrongPrincipalsAndLimits) {
  TempDir dir("zg-tokens-test");
  auto store = open_store(dir);
  ASSERT_NE(store, nullptr);
  const struct {
    const char* name;
    Role role;
    std::string_view uscc;
    int64_t ttl;
    std::string note;
    ErrorCode code;
    const char* field;
  } cases[] = {
      {"enterprise without USCC", Role::kEnterprise, "", kDay, "", ErrorCode::kInvalidUscc, "uscc"},
      {"bad check character", Role::kEnterprise, "914404000MA4W2X017", kDay, "",
       ErrorCode::kInvalidUscc, "uscc"},
      {"lower case USCC", Role::kEnterprise, "914404000ma4w2x016", kDay, "",
       ErrorCode::kInvalidUscc, "uscc"},
      {"officer with USCC", Role::kOfficer, kUscc, kDay, "", ErrorCode::kInvalidField, "uscc"},
      {"admin with USCC", Role::kAdmin, kUscc, kDay, "", ErrorCode::kInvalidField, "uscc"},
      {"zero lifetime", Role::kGate, "", 0, "", ErrorCode::kInvalidField, "ttl_seconds"},
      {"negative lifetime", Role::kGate, "", -5, "", ErrorCode::kInvalidField, "ttl_seconds"},
      {"over ten years", Role::kGate, "", TokenStore::kMaxTtlSeconds + 1, "",
       ErrorCode::kInvalidField, "ttl_seconds"},
      {"note with newline", Role::kGate, "", kDay, "two\nlines", ErrorCode::kInvalidField, "note"},
      {"long note", Role::kGate, "", kDay, std::string(TokenStore::kMaxNoteBytes + 1, 'x'),
       ErrorCode::kInvalidField, "note"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Result<CreatedToken> token = store->create(c.role, c.uscc, kNow, c.ttl, c.note);
    ASSERT_FALSE(token.is_ok());
    EXPECT_EQ(token.status().first().code, c.code);
    EXPECT_EQ(token.status().first().field, c.field);
    EXPECT_FALSE(token.status().first().message.empty());
  }
  Result<std::vector<TokenInfo>> tokens = store->list();
  ASSERT_TRUE(tokens.is_ok());
  EXPECT_TRUE(tokens->empty()) << "a refused token must not be stored";
}

TEST(TokenStore, RefusesUnknownIdAndWrongSecret) {
  TempDir dir("zg-tokens-test");
  auto store = open_store(dir);
  ASSERT_NE(store, nullptr);
  const CreatedToken token = must_create(*store);
  const std::string random_part = token.secret.substr(17);

  // Well formed, but no such id.
  const std::string unknown_id = "zgt_0123456789ab_" + random_part;
  EXPECT_NE(refusal(*store, unknown_id).find("not recognised"), std::string::npos);

  // The right id with another random part, before and after the token is in the cache.
  std::string wrong = token.secret;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  EXPECT_NE(refusal(*store, wrong).find("not recognised"), std::string::npos);
  EXPECT_EQ(refusal(*store, token.secret), "");
  EXPECT_NE(refusal(*store, wrong).find("not recognised"), std::string::npos);
  EXPECT_EQ(refusal(*store, token.secret), "");
}

TEST(TokenStore, RefusesMalformedSecrets) {
  TempDir dir("zg-tokens-test");
  auto store = open_store(dir);
  ASSERT_NE(store, nullptr);
  const CreatedToken token = must_create(*store);
  const std::string& s = token.secret;
  const std::string id = token.principal.token_id;
  const std::string random_part = s.substr(17);
  std::string upper_id = id;
  for (char& c : upper_id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper_id == id) upper_id[0] = 'G';  // an all-digit id has no upper case
  const struct {
    const char* name;
    std::string secret;
  } cases[] = {
      {"empty", ""},
      {"prefix only", "zgt_"},
      {"with the scheme", "Bearer " + s},
      {"wrong prefix", "zgx_" + s.substr(4)},
      {"upper-case prefix", "ZGT_" + s.substr(4)},
      {"upper-case id", "zgt_" + upper_id + "_" + random_part},
      {"non-hex id", "zgt_0123456789ag_" + random_part},
      {"short id", "zgt_" + id.substr(1) + "_" + random_part + "A"},
      {"long id", "zgt_" + id + "0_" + random_part.substr(1)},
      {"short random part", s.substr(0, s.size() - 1)},
      {"long random part", s + "A"},
      {"padding", s.substr(0, s.size() - 1) + "="},
      {"extra underscore after prefix", "zgt__" + id + random_part},
      {"dash for underscore", "zgt_" + id + "-" + random_part},
      {"extra underscore after the id", "zgt_" + id + "__" + random_part},
      {"space inside", s.substr(0, 30) + " " + s.substr(31)},
      {"trailing newline", s.substr(0, s.size() - 1) + "\n"},
      {"NUL inside", s.substr(0, 30) + std::string(1, '\0') + s.substr(31)},
      {"10 KB of junk", std::string(10240, 'z')},
      {"10 KB after a good start", s + std::string(10240 - s.size(), 'A')},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string message = refusal(*store, c.secret);
    EXPECT_NE(message.find("malformed"), std::string::npos) << message;
    EXPECT_EQ(message.find(s), std::string::npos) << "a refusal must not echo a secret";
  }
  EXPECT_EQ(refusal(*store, s), "");
}

TEST(TokenStore, RefusesExpiredTokensFromTheirExpiryOn) {
  TempDir dir("zg-tokens-test");
  auto store = open_store(dir);
  ASSERT_NE(store, nullptr);
  const CreatedToken token = must_create(*store, Role::kGate, "", 100);
  const int64_t expires_at = kNow + 100;
  EXPECT_EQ(refusal(*store, token.secret, expires_at - 1), "");  // now cached
  for (int64_t now : {expires_at, expires_at + 1, expires_at + 365 * kDay}) {
    SCOPED_TRACE(now);
    const std::string message = refusal(*store, token.secret, now);
    EXPECT_NE(message.find("expired at 2024-04-24T23:08:20Z"), std::string::npos) << message;
  }
  // Without the cache the database row gives the same answer.
  auto fresh = open_store(dir, milliseconds(0));
  ASSERT_NE(fresh, nullptr);
  EXPECT_NE(refusal(*fresh, token.secret, expires_at).find("expired"), std::string::npos);
  EXPECT_EQ(refusal(*fresh, token.secret, expires_at - 1), "");
}

TEST(TokenStore, RevokeThroughTheSameStoreTakesEffectAtOnce) {
  TempDir dir("zg-tokens-test");
  auto store = open_store(dir, milliseconds(60'000));  // a cache that would outlive the test
  ASSERT_NE(store, nullptr);
  const CreatedToken token = must_create(*store);
  const CreatedToken other = must_create(*store);
  ASSERT_EQ(refusal(*store, token.secret), "");
  ASSERT_EQ(refusal(*store, other.secret), "");

  ASSERT_TRUE(store->revoke(token.principal.token_id, kNow + 10).is_ok());
  EXPECT_NE(refusal(*store, token.secret).find("revoked at 2024-04-24T23:06:50Z"),
            std::string::npos);
  EXPECT_EQ(refusal(*store, other.secret), "");

  // Revoking again keeps the first time.
  ASSERT_TRUE(store->revoke(token.principal.token_id, kNow + 99).is_ok());
  Result<std::vector<TokenInfo>> tokens = store->list();
  ASSERT_TRUE(tokens.is_ok());
  ASSERT_EQ(tokens->size(), 2u);
  for (const TokenInfo& info : *tokens) {
    if (info.principal.token_id == token.principal.token_id) {
      EXPECT_EQ(info.revoked_at, kNow + 10);
    } else {
      EXPECT_FALSE(info.revoked_at.has_value());
    }
  }
}

TEST(TokenStore, RevokeOfAnUnknownIdIsNotFound) {
  TempDir dir("zg-tokens-test");
  auto store = open_store(dir);
  ASSERT_NE(store, nullptr);
  for (std::string_view id : {"0123456789ab", "", "0123456789AB", "zgt_0123456789ab", "xyz"}) {
    SCOPED_TRACE(id);
    Status status = store->revoke(id, kNow);
    ASSERT_FALSE(status.is_ok());
    EXPECT_EQ(status.first().code, ErrorCode::kInvalidField);
    EXPECT_EQ(status.first().field, "token_id");
  }
}

TEST(TokenStore, ListsEveryTokenOldestFirstWithoutSecrets) {
  TempDir dir("zg-tokens-test");
  auto store = open_store(dir);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->create(Role::kEnterprise, kUscc, kNow, kDay, "broker desk").is_ok());
  ASSERT_TRUE(store->create(Role::kAuditor, "", kNow + 5, 2 * kDay, "").is_ok());
  Result<std::vector<TokenInfo>> tokens = store->list();
  ASSERT_TRUE(tokens.is_ok());
  ASSERT_EQ(tokens->size(), 2u);
  const TokenInfo& first = (*tokens)[0];
  EXPECT_EQ(first.principal.role, Role::kEnterprise);
  EXPECT_EQ(first.principal.uscc, kUscc);
  EXPECT_EQ(first.created_at, kNow);
  EXPECT_EQ(first.principal.expires_at, kNow + kDay);
  EXPECT_EQ(first.note, "broker desk");
  EXPECT_FALSE(first.revoked_at.has_value());
  const TokenInfo& second = (*tokens)[1];
  EXPECT_EQ(second.principal.role, Role::kAuditor);
  EXPECT_EQ(second.principal.uscc, "");
  EXPECT_EQ(second.created_at, kNow + 5);
}

TEST(TokenStore, TokenCreatedByAnotherStoreIsValidAtOnce) {
  TempDir dir("zg-tokens-test");
  auto server = open_store(dir);
  auto cli = open_store(dir);
  ASSERT_NE(server, nullptr);
  ASSERT_NE(cli, nullptr);
  const CreatedToken before = must_create(*cli);
  ASSERT_EQ(refusal(*server, before.secret), "");  // the server's cache is warm
  const CreatedToken token = must_create(*cli, Role::kEnterprise, kUscc);
  Result<Principal> principal = server->authenticate(token.secret, kNow);
  ASSERT_TRUE(principal.is_ok()) << principal.status().first().message;
  EXPECT_EQ(principal->uscc, kUscc);
}

TEST(TokenStore, RevokeByAnotherStoreTakesEffectWithinTheCacheLifetime) {
  TempDir dir("zg-tokens-test");
  const milliseconds lifetime(150);
  auto server = open_store(dir, lifetime);
  auto cli = open_store(dir);
  ASSERT_NE(server, nullptr);
  ASSERT_NE(cli, nullptr);
  const CreatedToken token = must_create(*cli);
  ASSERT_EQ(refusal(*server, token.secret), "");  // cached from here on
  const auto revoked = std::chrono::steady_clock::now();
  ASSERT_TRUE(cli->revoke(token.principal.token_id, kNow).is_ok());

  // Within the lifetime the server may still accept it; after, never.
  std::this_thread::sleep_until(revoked + lifetime + milliseconds(20));
  EXPECT_NE(refusal(*server, token.secret).find("revoked"), std::string::npos);

  // Without a cache, at once.
  auto uncached = open_store(dir, milliseconds(0));
  ASSERT_NE(uncached, nullptr);
  const CreatedToken second = must_create(*cli);
  ASSERT_EQ(refusal(*uncached, second.secret), "");
  ASSERT_TRUE(cli->revoke(second.principal.token_id, kNow).is_ok());
  EXPECT_NE(refusal(*uncached, second.secret).find("revoked"), std::string::npos);
}

TEST(TokenStore, TokensSurviveReopening) {
  TempDir dir("zg-tokens-test");
  CreatedToken token;
  {
    auto store = open_store(dir);
    ASSERT_NE(store, nullptr);
    token = must_create(*store, Role::kAdmin);
  }
  auto store = open_store(dir);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(refusal(*store, token.secret), "");
}

TEST(TokenStore, SecretsNeverReachTheFile) {
  TempDir dir("zg-tokens-test");
  std::vector<std::string> secrets;
  {
    auto store = open_store(dir);
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 20; ++i) {
      const CreatedToken token = must_create(*store, Role::kEnterprise, kUscc);
      secrets.push_back(token.secret);
      ASSERT_EQ(refusal(*store, token.secret), "");
    }
    // While open, the rows may still be in the write-ahead log: search it too.
    const std::string bytes =
        read_bytes(dir.file("tokens.db")) + read_bytes(dir.file("tokens.db-wal"));
    ASSERT_FALSE(bytes.empty());
    for (const std::string& secret : secrets) {
      EXPECT_EQ(bytes.find(secret.substr(17)), std::string::npos) << "random part of a secret";
      EXPECT_NE(bytes.find(secret.substr(4, 12)), std::string::npos) << "the id is stored";
    }
  }
  const std::string bytes = read_bytes(dir.file("tokens.db"));
  for (const std::string& secret : secrets) {
    EXPECT_EQ(bytes.find(secret.substr(17)), std::string::npos);
  }
}

// Writes `sql` into a fresh SQLite database at `path`.
void make_database(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST(TokenStore, RefusesFilesThatAreNotOursUntouched) {
  const struct {
    const char* name;
    const char* sql;  // nullptr: not SQLite at all
    const char* says;
  } cases[] = {
      {"someone else's database", "CREATE TABLE tokens (x TEXT); INSERT INTO tokens VALUES ('a')",
       "not a Zonegate token store"},
      {"another Zonegate file",
       "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
       "INSERT INTO meta VALUES ('application', 'zonegate-journal'), ('format', '1')",
       "not a Zonegate token store"},
      {"a newer format",
       "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
       "INSERT INTO meta VALUES ('application', 'zonegate-tokens'), ('format', '2')",
       "format 2"},
      {"not SQLite", nullptr, "not an SQLite database"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    TempDir dir("zg-tokens-test");
    const std::string path = dir.file("tokens.db");
    if (c.sql != nullptr) {
      make_database(path, c.sql);
    } else {
      std::ofstream(path, std::ios::binary) << std::string(8192, 'q');
    }
    const std::string before = read_bytes(path);
    auto store = TokenStore::open(dir.path());
    ASSERT_FALSE(store.is_ok());
    EXPECT_EQ(store.status().first().code, ErrorCode::kUnsupportedFormat);
    EXPECT_NE(store.status().first().message.find(c.says), std::string::npos)
        << store.status().first().message;
    EXPECT_EQ(read_bytes(path), before);
    EXPECT_FALSE(fs::exists(path + "-wal"));
  }
}

TEST(TokenStore, OpenNeedsAnExistingDirectory) {
  TempDir dir("zg-tokens-test");
  auto store = TokenStore::open(dir.file("missing"));
  ASSERT_FALSE(store.is_ok());
  EXPECT_EQ(store.status().first().code, ErrorCode::kIoError);
  EXPECT_FALSE(fs::exists(dir.file("missing")));
}

TEST(TokenStore, AuthenticatesFromSeveralThreadsWhileCreating) {
  TempDir dir("zg-tokens-test");
  auto store = open_store(dir, milliseconds(5));  // short, so threads also miss the cache
  ASSERT_NE(store, nullptr);
  std::mutex secrets_mutex;
  std::vector<std::string> secrets;
  for (int i = 0; i < 8; ++i) secrets.push_back(must_create(*store).secret);

  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::atomic<int> checks{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      size_t next = static_cast<size_t>(t);
      while (!done.load()) {
        std::string secret;
        {
          std::lock_guard lock(secrets_mutex);
          secret = secrets[next++ % secrets.size()];
        }
        if (!store->authenticate(secret, kNow).is_ok()) ++failures;
        if (store->authenticate(secret + "x", kNow).is_ok()) ++failures;
        ++checks;
      }
    });
  }
  std::thread writer([&] {
    for (int i = 0; i < 50; ++i) {
      Result<CreatedToken> token = store->create(Role::kGate, "", kNow, kDay, "");
      if (!token.is_ok()) {
        ++failures;
        continue;
      }
      std::lock_guard lock(secrets_mutex);
      secrets.push_back(token->secret);
    }
    done = true;
  });
  writer.join();
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(checks.load(), 0);
  Result<std::vector<TokenInfo>> tokens = store->list();
  ASSERT_TRUE(tokens.is_ok());
  EXPECT_EQ(tokens->size(), 58u);
}

}  // namespace
}  // namespace zg::api
