// Which store a data directory's journal lives in, as `--store` names it:
//
//   sqlite                                      DIR/journal.db (the default)
//   postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?shard=NAME&…]
//
// `shard` is Zonegate's own parameter (the PostgreSQL schema that holds this
// zone's tables, so one database can hold several zones); it is taken out
// of the URL before libpq sees it. Without it, a new zone's shard is named
// after its pack's zone (`with_default_shard`), else "zone". Every other parameter goes to libpq
// unchanged (sslmode=…, connect_timeout=…). The password never leaves the
// process: `recorded` (what DIR/store keeps and messages print) has none,
// and a later open without `--store` relies on libpq's PGPASSWORD or
// ~/.pgpass for it.
#pragma once

#include <string>

#include "core/status.h"

namespace zg {

struct StoreSpec {
  enum class Kind : uint8_t { kSqlite, kPostgres };
  Kind kind = Kind::kSqlite;
  std::string url;       // for libpq: the URL without `shard`, password kept
  std::string shard;     // the schema of this zone's tables ("zone" by default)
  std::string recorded;  // the URL without its password, `shard` explicit: "sqlite" for SQLite
};

inline constexpr const char* kDefaultShard = "zone";
inline constexpr size_t kShardNameBytesMax = 48;  // a PostgreSQL identifier is at most 63 bytes

// `store` with `shard=NAME` added when it is a PostgreSQL URL that names
// no shard (the pack names it: its zone's id); otherwise `store` as it is.
// A name that is no valid shard leaves the default.
std::string with_default_shard(const std::string& store, const std::string& shard);

// Parses a `--store` value; a bad one is a kUsage error that says why.
Result<StoreSpec> parse_store_spec(const std::string& text);

// `url` with the password of its user-info replaced by nothing, for messages.
std::string redact_password(const std::string& url);

}  // namespace zg
