#include "store/postgres/pg_connection.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

namespace zg::pg {

std::string first_line(const char* what) {
  std::string text(what != nullptr ? what : "unknown error");
  const size_t newline = text.find('\n');
  if (newline != std::string::npos) text.resize(newline);
  return text;
}

bool connection_lost(const std::exception& e) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr ||
      dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    return true;
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    // Class 08: connection exception; class 57: operator intervention
    // (admin_shutdown, crash_shutdown, cannot_connect_now).
    const std::string& state = sql->sqlstate();
    return state.rfind("08", 0) == 0 || state.rfind("57", 0) == 0;
  }
  return false;
}

std::string describe(const std::exception& e) {
  const std::string what = first_line(e.what());
  return connection_lost(e) ? "the connection was lost (" + what + ")" : what;
}

std::string with_timeouts(const std::string& url) {
  // A dead server or network is noticed within seconds rather than after
  // the kernel's TCP timeouts (minutes), unless the URL says otherwise.
  static constexpr const char* kDefaults[] = {"connect_timeout=5", "keepalives_idle=5",
                                              "keepalives_interval=2", "keepalives_count=3",
                                              "tcp_user_timeout=10000"};
  std::string out = url;
  for (const char* setting : kDefaults) {
    const std::string name = std::string(setting).substr(0, std::string(setting).find('=') + 1);
    if (url.find("?" + name) != std::string::npos || url.find("&" + name) != std::string::npos) {
      continue;
    }
    out += (out.find('?') == std::string::npos ? "?" : "&") + std::string(setting);
  }
  return out;
}

Result<std::unique_ptr<pqxx::connection>> connect(const PostgresOptions& options, int retry_ms) {
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + std::chrono::milliseconds(retry_ms);
  int backoff_ms = kConnectBackoffFirstMs;
  int attempts = 0;
  for (;;) {
    ++attempts;
    try {
      auto connection = std::make_unique<pqxx::connection>(with_timeouts(options.url));
      // A lost connection is made again by the store itself (which names the
      // writer's new session), never silently by libpqxx. (Deprecated in 6.x,
      // gone in 7, where nothing reconnects silently any more.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
      connection->inhibit_reactivation(true);
#pragma GCC diagnostic pop
      // Durable before acknowledged, whatever the server's default: every
      // commit waits for its WAL flush. Kept across pqxx's reconnects.
      connection->set_variable("synchronous_commit", "on");
      // Commands carry Chinese text: a database that cannot hold it would
      // refuse an append mid-run and stop the zone; say so at the start.
      connection->set_client_encoding("UTF8");
      pqxx::nontransaction check(*connection);
      const std::string encoding = check.exec1("SHOW server_encoding")[0].as<std::string>();
      check.commit();
      if (encoding != "UTF8") {
        return Result<std::unique_ptr<pqxx::connection>>(
            ErrorCode::kUsage, "",
            "the PostgreSQL database at " + options.shown + " is encoded " + encoding +
                ", not UTF8: commands carry text in any language (create it with "
                "ENCODING 'UTF8')");
      }
      return connection;
    } catch (const pqxx::broken_connection& e) {
      const std::string why = first_line(e.what());
      const bool unreachable = why.find("Connection refused") != std::string::npos ||
                               why.find("No such file") != std::string::npos ||
                               why.find("timeout expired") != std::string::npos ||
                               why.find("starting up") != std::string::npos ||
                               why.find("shutting down") != std::string::npos ||
                               why.find("could not translate host") != std::string::npos;
      const auto now = std::chrono::steady_clock::now();
      if (!unreachable || now + std::chrono::milliseconds(backoff_ms) > deadline) {
        const double seconds = std::chrono::duration<double>(now - started).count();
        char waited[64];
        std::snprintf(waited, sizeof waited, " (%d attempt%s in %.1f s)", attempts,
                      attempts == 1 ? "" : "s", seconds);
        return Result<std::unique_ptr<pqxx::connection>>(
            ErrorCode::kUnavailable, "",
            "cannot connect to PostgreSQL at " + options.shown + waited + ": " + why);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
      backoff_ms = std::min(backoff_ms * 2, kConnectBackoffMaxMs);
    } catch (const std::exception& e) {
      return Result<std::unique_ptr<pqxx::connection>>(
          ErrorCode::kUsage, "",
          "cannot connect to PostgreSQL at " + options.shown + ": " + first_line(e.what()));
    }
  }
}

}  // namespace zg::pg
