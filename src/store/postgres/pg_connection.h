// What the PostgreSQL store's files share: connecting (with backoff while
// the server is unreachable), telling a lost connection from a refusal,
// and libpq's messages cut to their first line. Internal to store/postgres:
// no header outside it names libpqxx.
#pragma once

#include <exception>
#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "core/status.h"
#include "store/postgres/postgres_journal.h"

namespace zg::pg {

// Backoff while the server cannot be reached: 50 ms, doubling, at most 1 s.
constexpr int kConnectBackoffFirstMs = 50;
constexpr int kConnectBackoffMaxMs = 1'000;

// The first line of a libpq/libpqxx message: enough to say what went wrong.
std::string first_line(const char* what);

// True when `e` says the connection is gone (the server restarted or shut
// down, the network failed) rather than that a statement was refused: the
// work may be tried again on a new connection.
bool connection_lost(const std::exception& e);

// What went wrong, for a message: the first line of `e`, said plainly
// when the connection itself was lost (libpqxx's words for it vary).
std::string describe(const std::exception& e);

// `url` with libpq's connect and TCP timeouts (connect_timeout=5, keepalives
// after 5 s idle, tcp_user_timeout=10000) added where it sets none.
std::string with_timeouts(const std::string& url);

// Connects to options.url, retrying with backoff while the server cannot be
// reached (not started yet, restarting) for up to `retry_ms`; any other
// refusal (bad password, unknown database, not UTF8) is final at once.
// Every commit on the connection waits for its WAL flush.
Result<std::unique_ptr<pqxx::connection>> connect(const PostgresOptions& options, int retry_ms);

}  // namespace zg::pg
