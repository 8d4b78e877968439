#include "api/tokens.h"

#include <sqlite3.h>
#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <unordered_map>

#include "core/hex.h"
#include "core/identifiers.h"
#include "core/sha256.h"
#include "core/time.h"

namespace zg::api {
namespace {

// Marks the file as ours: a database without it is someone else's.
constexpr std::string_view kApplicationName = "zonegate-tokens";
constexpr int kFormatVersion = 1;

// The secret's shape: "zgt_" + id + "_" + random.
constexpr std::string_view kSecretPrefix = "zgt_";
constexpr size_t kIdBytes = 6;
constexpr size_t kIdChars = 2 * kIdBytes;
constexpr size_t kRandomBytes = 32;
constexpr size_t kRandomChars = (kRandomBytes * 8 + 5) / 6;  // base64url, no padding: 43
constexpr size_t kSecretChars = kSecretPrefix.size() + kIdChars + 1 + kRandomChars;

// Bounds memory if many distinct tokens are in use; past it, stale entries go first.
constexpr size_t kMaxCacheEntries = 10000;
// A fresh id collides with an existing one about once in 2^48 / (tokens issued) tries.
constexpr int kCreateAttempts = 4;

constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

Status forbidden(std::string message) {
  return Status(ErrorCode::kForbidden, "", std::move(message));
}

// Fills `out` from the kernel's CSPRNG; getrandom may return short or be interrupted.
Status fill_random(unsigned char* out, size_t size) {
  while (size > 0) {
    const ssize_t got = getrandom(out, size, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return Status(ErrorCode::kIoError, "",
                    std::string("getrandom failed: ") + std::strerror(errno));
    }
    out += got;
    size -= static_cast<size_t>(got);
  }
  return Status::ok();
}

// RFC 4648 section 5, without padding.
std::string base64url(const unsigned char* bytes, size_t size) {
  std::string out;
  out.reserve((size * 8 + 5) / 6);
  uint32_t buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < size; ++i) {
    buffer = (buffer << 8) | bytes[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kBase64Url[(buffer >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(kBase64Url[(buffer << (6 - bits)) & 0x3F]);
  return out;
}

bool is_base64url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// A token id as a number (the cache's key), or nullopt if it is not 12 lowercase hex chars.
std::optional<uint64_t> parse_token_id(std::string_view id) {
  if (id.size() != kIdChars) return std::nullopt;
  uint64_t value = 0;
  for (char c : id) {
    const int digit = hex_digit_value(c);  // upper case too: ids have one spelling
    if (digit < 0) return std::nullopt;
    value = (value << 4) | static_cast<uint64_t>(digit);
  }
  return value;
}

// The id part of a well-formed secret. Checked in full before any hashing or database
// work, so junk costs one pass over at most 60 bytes.
std::optional<std::string_view> secret_id(std::string_view secret) {
  if (secret.size() != kSecretChars || !secret.starts_with(kSecretPrefix)) return std::nullopt;
  const std::string_view id = secret.substr(kSecretPrefix.size(), kIdChars);
  if (!parse_token_id(id) || secret[kSecretPrefix.size() + kIdChars] != '_') return std::nullopt;
  for (char c : secret.substr(kSecretChars - kRandomChars)) {
    if (!is_base64url(c)) return std::nullopt;
  }
  return id;
}

std::optional<Digest> digest_from_hex(std::string_view hex) {
  Digest digest{};
  if (!hex_decode(hex, digest.data(), digest.size())) return std::nullopt;
  return digest;
}

// Looks at every byte whatever the first difference, so the time taken tells an
// attacker nothing about how much of a guessed hash was right.
bool equal_in_constant_time(const Digest& a, const Digest& b) {
  unsigned char difference = 0;
  for (size_t i = 0; i < a.size(); ++i) difference |= static_cast<unsigned char>(a[i] ^ b[i]);
  return difference == 0;
}

// RFC 3339 in UTC with "Z", the form people read as UTC at a glance.
std::string utc_time(int64_t unix_seconds) {
  std::string text = format_rfc3339(Timestamp{unix_seconds, 0});  // ends "+00:00"
  text.resize(text.size() - 6);
  return text + "Z";
}

// The note is printed one token a line by `zonegate token list`, so it must stay one line.
Status check_note(std::string_view note) {
  if (note.size() > TokenStore::kMaxNoteBytes) {
    return Status(ErrorCode::kInvalidField, "note",
                  "a note has at most " + std::to_string(TokenStore::kMaxNoteBytes) + " bytes");
  }
  for (char c : note) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      return Status(ErrorCode::kInvalidField, "note", "a note may not hold control characters");
    }
  }
  return Status::ok();
}

Status check_principal(Role role, std::string_view uscc) {
  if (role == Role::kEnterprise) {
    if (uscc.empty()) {
      return Status(ErrorCode::kInvalidUscc, "uscc",
                    "an enterprise token needs the enterprise's USCC");
    }
    return validate_uscc(uscc).under("uscc");
  }
  if (!uscc.empty()) {
    return Status(
        ErrorCode::kInvalidField, "uscc",
        "only enterprise tokens name a USCC; this token's role is " + std::string(role_name(role)));
  }
  return Status::ok();
}

// The verdict on a presented secret, whether the row came from the cache or the database.
// The hash is compared first, so a caller without the secret learns nothing about the
// token's state; revocation before expiry, as the more telling reason.
Result<Principal> judge(const Principal& principal, const Digest& stored, const Digest& presented,
                        std::optional<int64_t> revoked_at, int64_t now) {
  if (!equal_in_constant_time(stored, presented)) {
    return forbidden("token " + principal.token_id + " is not recognised");
  }
  if (revoked_at) {
    return forbidden("token " + principal.token_id + " was revoked at " + utc_time(*revoked_at));
  }
  if (now >= principal.expires_at) {
    return forbidden("token " + principal.token_id + " expired at " +
                     utc_time(principal.expires_at));
  }
  return principal;
}

// A prepared statement, finalized with its owner.
class Statement {
 public:
  Statement() = default;
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool prepare(sqlite3* db, const char* sql) {
    return sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) == SQLITE_OK;
  }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a reused statement when a use of it ends, whichever way it ends, so it holds no
// read transaction open and no bound text that is about to go away.
class Use {
 public:
  explicit Use(const Statement& statement) : stmt_(statement.get()) {}
  ~Use() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;
  void bind(int index, std::string_view text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  }
  void bind(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
  int step() { return sqlite3_step(stmt_); }
  std::string text(int column) const {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return data != nullptr
               ? std::string(data, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
               : std::string();
  }
  int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

 private:
  sqlite3_stmt* stmt_;
};

// One row of the tokens table.
struct Row {
  Digest hash{};
  TokenInfo info;
};

// Columns shared by the lookup and the list, in this order.
constexpr const char* kRowColumns =
    "id, hash, role, uscc, created_at, expires_at, revoked_at, note FROM tokens";

}  // namespace

struct TokenStore::Impl {
  struct CacheEntry {
    Digest hash;
    Principal principal;
    std::chrono::steady_clock::time_point fresh_until;
  };

  std::string path;
  std::chrono::milliseconds cache_lifetime{0};

  // The connection and its statements: one user at a time.
  std::mutex db_mutex;
  sqlite3* db = nullptr;
  Statement select_one;
  Statement select_all;
  Statement insert;
  Statement revoke;

  // Tokens that authenticated lately, by id. `revocations` counts revocations made
  // through this store: a lookup that raced one must not put its older row back.
  std::mutex cache_mutex;
  std::unordered_map<uint64_t, CacheEntry> cache;
  uint64_t revocations = 0;

  // close_v2 waits for the statements, which are finalized as members after this body.
  ~Impl() { sqlite3_close_v2(db); }

  Status sqlite_error(const std::string& what) const {
    return Status(ErrorCode::kIoError, "", path + ": " + what + ": " + sqlite3_errmsg(db));
  }

  Status exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message != nullptr ? message : sqlite3_errmsg(db);
      sqlite3_free(message);
      return Status(ErrorCode::kIoError, "", path + ": " + sql + ": " + text);
    }
    return Status::ok();
  }

  Status create_schema_if_empty();
  Status check_meta();
  Status prepare_statements();
  Result<Row> read_row(const Use& use) const;
  // The row for `id`, nullopt when there is none. Caller holds db_mutex.
  Result<std::optional<Row>> load(std::string_view id);

  // The verdict from a fresh cache entry for `key`, nullopt on a miss. Also reports the
  // revocation count seen, which remember() needs.
  std::optional<Result<Principal>> judge_cached(uint64_t key, const Digest& presented, int64_t now,
                                                uint64_t& revocations_seen);
  void remember(uint64_t key, const Principal& principal, const Digest& hash,
                uint64_t revocations_seen);
  void forget(uint64_t key);
};

// A brand-new file gets its tables and meta rows in one transaction. The emptiness is
// checked again inside it: `zonegate serve` and `zonegate token` may open a new data
// directory at the same moment, and only the first may create.
Status TokenStore::Impl::create_schema_if_empty() {
  {
    // A file that is not SQLite at all fails here, before anything is written.
    Statement tables;
    if (!tables.prepare(db, "SELECT count(*) FROM sqlite_master")) {
      return Status(ErrorCode::kUnsupportedFormat, "",
                    path + " is not a Zonegate token store (not an SQLite database)");
    }
    Use use(tables);
    if (use.step() != SQLITE_ROW) return sqlite_error("reading its schema");
    if (use.integer(0) != 0) return Status::ok();
  }
  // Outside any transaction (SQLite's rule); on an empty file it claims nothing of anyone's.
  Status status = exec("PRAGMA journal_mode=WAL");
  if (status.is_ok()) status = exec("BEGIN IMMEDIATE");
  if (!status.is_ok()) return status;
  bool still_empty = false;
  {
    Statement tables;
    if (tables.prepare(db, "SELECT count(*) FROM sqlite_master")) {
      Use use(tables);
      still_empty = use.step() == SQLITE_ROW && use.integer(0) == 0;
    }
  }
  if (still_empty) {
    for (const char* sql :
         {"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
          "CREATE TABLE tokens (id TEXT PRIMARY KEY, hash TEXT NOT NULL, role TEXT NOT NULL, "
          "uscc TEXT NOT NULL, created_at INTEGER, expires_at INTEGER, revoked_at INTEGER, "
          "note TEXT)"}) {
      if (status.is_ok()) status = exec(sql);
    }
    if (status.is_ok()) {
      Statement put;
      if (!put.prepare(db,
                       "INSERT INTO meta (key, value) VALUES ('application', ?), ('format', ?)")) {
        status = sqlite_error("preparing the meta rows");
      } else {
        Use use(put);
        use.bind(1, kApplicationName);
        const std::string format = std::to_string(kFormatVersion);
        use.bind(2, format);
        if (use.step() != SQLITE_DONE) status = sqlite_error("writing the meta rows");
      }
    }
  }
  if (status.is_ok()) return exec("COMMIT");
  // Its own failure changes nothing: SQLite rolls an open transaction back on close.
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  return status;
}

// Reads only: a file that turns out not to be ours is left exactly as it was.
Status TokenStore::Impl::check_meta() {
  Statement get;
  if (!get.prepare(db, "SELECT value FROM meta WHERE key = ?")) {
    return Status(ErrorCode::kUnsupportedFormat, "",
                  path + " is an SQLite database, but not a Zonegate token store");
  }
  auto value_of = [&](std::string_view key) -> std::optional<std::string> {
    Use use(get);
    use.bind(1, key);
    if (use.step() != SQLITE_ROW) return std::nullopt;
    return use.text(0);
  };
  if (value_of("application") != kApplicationName) {
    return Status(ErrorCode::kUnsupportedFormat, "",
                  path + " is an SQLite database, but not a Zonegate token store");
  }
  const std::optional<std::string> format = value_of("format");
  if (format != std::to_string(kFormatVersion)) {
    return Status(ErrorCode::kUnsupportedFormat, "",
                  path + " has token store format " + format.value_or("?") +
                      "; this zonegate reads format " + std::to_string(kFormatVersion));
  }
  return Status::ok();
}

Status TokenStore::Impl::prepare_statements() {
  const std::string one = std::string("SELECT ") + kRowColumns + " WHERE id = ?";
  const std::string all = std::string("SELECT ") + kRowColumns + " ORDER BY created_at, id";
  if (!select_one.prepare(db, one.c_str()) || !select_all.prepare(db, all.c_str()) ||
      !insert.prepare(db,
                      "INSERT INTO tokens (id, hash, role, uscc, created_at, expires_at, "
                      "revoked_at, note) VALUES (?, ?, ?, ?, ?, ?, NULL, ?)") ||
      !revoke.prepare(db, "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
    return sqlite_error("preparing statements");
  }
  return Status::ok();
}

Result<Row> TokenStore::Impl::read_row(const Use& use) const {
  Row row;
  Principal& principal = row.info.principal;
  principal.token_id = use.text(0);
  const std::optional<Digest> hash = digest_from_hex(use.text(1));
  const std::optional<Role> role = parse_role(use.text(2));
  if (!hash || !role) {
    return Result<Row>(ErrorCode::kCorruption, "",
                       path + ": token " + principal.token_id + " has a damaged hash or role");
  }
  row.hash = *hash;
  principal.role = *role;
  principal.uscc = use.text(3);
  row.info.created_at = use.integer(4);
  principal.expires_at = use.integer(5);
  if (!use.is_null(6)) row.info.revoked_at = use.integer(6);
  row.info.note = use.text(7);
  return row;
}

Result<std::optional<Row>> TokenStore::Impl::load(std::string_view id) {
  Use use(select_one);
  use.bind(1, id);
  const int rc = use.step();
  if (rc == SQLITE_DONE) return std::optional<Row>();
  if (rc != SQLITE_ROW) return sqlite_error("looking up token " + std::string(id));
  Result<Row> row = read_row(use);
  if (!row.is_ok()) return row.status();
  return std::optional<Row>(std::move(row).value());
}

// Judged under the lock, so the entry is copied once, into the answer. A stale entry is
// dropped: the database decides again.
std::optional<Result<Principal>> TokenStore::Impl::judge_cached(uint64_t key,
                                                                const Digest& presented,
                                                                int64_t now,
                                                                uint64_t& revocations_seen) {
  const auto clock = std::chrono::steady_clock::now();
  std::lock_guard lock(cache_mutex);
  revocations_seen = revocations;
  auto it = cache.find(key);
  if (it == cache.end()) return std::nullopt;
  if (clock >= it->second.fresh_until) {
    cache.erase(it);
    return std::nullopt;
  }
  return judge(it->second.principal, it->second.hash, presented, std::nullopt, now);
}

void TokenStore::Impl::remember(uint64_t key, const Principal& principal, const Digest& hash,
                                uint64_t revocations_seen) {
  if (cache_lifetime.count() <= 0) return;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(cache_mutex);
  // A revocation since our read may concern this token: its row is old news.
  if (revocations != revocations_seen) return;
  if (cache.size() >= kMaxCacheEntries) {
    std::erase_if(cache, [&](const auto& entry) { return now >= entry.second.fresh_until; });
    if (cache.size() >= kMaxCacheEntries) cache.clear();
  }
  cache.insert_or_assign(key, CacheEntry{hash, principal, now + cache_lifetime});
}

void TokenStore::Impl::forget(uint64_t key) {
  std::lock_guard lock(cache_mutex);
  cache.erase(key);
  ++revocations;
}

std::string_view role_name(Role role) {
  switch (role) {  // No default: -Wswitch flags a new role missing here.
    case Role::kEnterprise: return "enterprise";
    case Role::kOfficer: return "officer";
    case Role::kGate: return "gate";
    case Role::kAuditor: return "auditor";
    case Role::kAdmin: return "admin";
  }
  return "?";
}

std::optional<Role> parse_role(std::string_view text) {
  for (Role role : {Role::kEnterprise, Role::kOfficer, Role::kGate, Role::kAuditor, Role::kAdmin}) {
    if (text == role_name(role)) return role;
  }
  return std::nullopt;
}

TokenStore::TokenStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TokenStore::~TokenStore() = default;

Result<std::unique_ptr<TokenStore>> TokenStore::open(const std::string& data_dir,
                                                     std::chrono::milliseconds cache_lifetime) {
  using Opened = Result<std::unique_ptr<TokenStore>>;
  std::error_code error;
  if (!std::filesystem::is_directory(data_dir, error)) {
    return Opened(ErrorCode::kIoError, "", data_dir + " is not a directory");
  }
  auto impl = std::make_unique<Impl>();
  impl->path = (std::filesystem::path(data_dir) / "tokens.db").string();
  impl->cache_lifetime = cache_lifetime;
  if (sqlite3_open_v2(impl->path.c_str(), &impl->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                      nullptr) != SQLITE_OK) {
    const std::string message = impl->db != nullptr ? sqlite3_errmsg(impl->db) : "out of memory";
    return Opened(ErrorCode::kIoError, "", "cannot open " + impl->path + ": " + message);
  }
  // Another process (the CLI, the server) may hold the write lock for a moment.
  sqlite3_busy_timeout(impl->db, 5000);
  Status status = impl->create_schema_if_empty();
  if (status.is_ok()) status = impl->check_meta();
  // Durable before acknowledged, as the journal: WAL, and every commit synced.
  if (status.is_ok()) status = impl->exec("PRAGMA journal_mode=WAL");
  if (status.is_ok()) status = impl->exec("PRAGMA synchronous=FULL");
  if (status.is_ok()) status = impl->prepare_statements();
  if (!status.is_ok()) return status;
  return std::unique_ptr<TokenStore>(new TokenStore(std::move(impl)));
}

Result<CreatedToken> TokenStore::create(Role role, std::string_view uscc, int64_t now,
                                        int64_t ttl_seconds, std::string_view note) {
  Status status = check_principal(role, uscc);
  if (ttl_seconds < 1 || ttl_seconds > kMaxTtlSeconds) {
    status.add(ErrorCode::kInvalidField, "ttl_seconds",
               "a token lives from 1 second to 3650 days, not " + std::to_string(ttl_seconds) +
                   " seconds");
  } else if (now > INT64_MAX - ttl_seconds) {
    status.add(ErrorCode::kInvalidField, "now", "the expiry time would overflow");
  }
  status.merge(check_note(note));
  if (!status.is_ok()) return status;

  CreatedToken token;
  token.principal.role = role;
  token.principal.uscc = std::string(uscc);
  token.principal.expires_at = now + ttl_seconds;
  const std::string_view role_text = role_name(role);
  std::lock_guard lock(impl_->db_mutex);
  for (int attempt = 0; attempt < kCreateAttempts; ++attempt) {
    std::array<unsigned char, kIdBytes + kRandomBytes> random{};
    status = fill_random(random.data(), random.size());
    if (!status.is_ok()) return status;
    token.principal.token_id = hex_encode(random.data(), kIdBytes);
    token.secret = std::string(kSecretPrefix) + token.principal.token_id + "_" +
                   base64url(random.data() + kIdBytes, kRandomBytes);
    const std::string hash = to_hex(sha256(token.secret));
    Use use(impl_->insert);
    use.bind(1, token.principal.token_id);
    use.bind(2, hash);
    use.bind(3, role_text);
    use.bind(4, uscc);
    use.bind(5, now);
    use.bind(6, token.principal.expires_at);
    use.bind(7, note);
    const int rc = use.step();
    if (rc == SQLITE_DONE) return token;
    // An id already taken: draw another. Anything else is a real failure.
    if (sqlite3_extended_errcode(impl_->db) != SQLITE_CONSTRAINT_PRIMARYKEY) {
      return impl_->sqlite_error("storing a new token");
    }
  }
  return impl_->sqlite_error("no free token id after " + std::to_string(kCreateAttempts) +
                             " tries");
}

Result<Principal> TokenStore::authenticate(std::string_view secret, int64_t now) {
  const std::optional<std::string_view> id = secret_id(secret);
  if (!id) {
    return forbidden("malformed bearer token: expected zgt_, 12 lowercase hex characters, _ and " +
                     std::to_string(kRandomChars) + " base64url characters");
  }
  const uint64_t key = *parse_token_id(*id);
  const Digest presented = sha256(secret);
  uint64_t revocations_seen = 0;
  if (std::optional<Result<Principal>> verdict =
          impl_->judge_cached(key, presented, now, revocations_seen)) {
    return std::move(*verdict);
  }

  // A miss: the token may have been created by another process a moment ago.
  std::optional<Row> row;
  {
    std::lock_guard lock(impl_->db_mutex);
    Result<std::optional<Row>> loaded = impl_->load(*id);
    if (!loaded.is_ok()) return loaded.status();
    row = std::move(loaded).value();
  }
  if (!row) return forbidden("token " + std::string(*id) + " is not recognised");
  const Principal& principal = row->info.principal;
  Result<Principal> verdict = judge(principal, row->hash, presented, row->info.revoked_at, now);
  // Only successes are cached: a refused secret must be looked up again next time, since
  // a token revoked elsewhere is never un-revoked but an unknown one may appear.
  if (verdict.is_ok()) impl_->remember(key, principal, row->hash, revocations_seen);
  return verdict;
}

Status TokenStore::revoke(std::string_view token_id, int64_t now) {
  const std::optional<uint64_t> key = parse_token_id(token_id);
  if (!key) {
    return Status(ErrorCode::kInvalidField, "token_id",
                  "a token id is 12 lowercase hex characters");
  }
  {
    std::lock_guard lock(impl_->db_mutex);
    int changed = 0;
    {
      Use use(impl_->revoke);
      use.bind(1, now);
      use.bind(2, token_id);
      if (use.step() != SQLITE_DONE) {
        return impl_->sqlite_error("revoking token " + std::string(token_id));
      }
      changed = sqlite3_changes(impl_->db);
    }
    if (changed == 0) {  // unknown, or revoked already (which is fine)
      Result<std::optional<Row>> row = impl_->load(token_id);
      if (!row.is_ok()) return row.status();
      if (!row->has_value()) {
        return Status(ErrorCode::kInvalidField, "token_id",
                      "no token has id " + std::string(token_id));
      }
    }
  }
  impl_->forget(*key);
  return Status::ok();
}

Status TokenStore::revoke(std::string_view token_id) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return revoke(token_id, std::chrono::duration_cast<std::chrono::seconds>(now).count());
}

Result<std::vector<TokenInfo>> TokenStore::list() {
  std::vector<TokenInfo> tokens;
  std::lock_guard lock(impl_->db_mutex);
  Use use(impl_->select_all);
  for (;;) {
    const int rc = use.step();
    if (rc == SQLITE_DONE) return tokens;
    if (rc != SQLITE_ROW) return impl_->sqlite_error("listing tokens");
    Result<Row> row = impl_->read_row(use);
    if (!row.is_ok()) return row.status();
    tokens.push_back(std::move(row).value().info);
  }
}

}  // namespace zg::api
