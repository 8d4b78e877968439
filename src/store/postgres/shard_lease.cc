#include "store/postgres/shard_lease.h"

#include <functional>
#include <optional>

#include "store/postgres/pg_connection.h"

namespace zg {

struct ShardLease::Impl {
  PostgresOptions options;
  std::string lease;    // "shard".lease
  std::string nodes;    // "shard".nodes
  std::string journal;  // "shard".journal
  std::unique_ptr<pqxx::connection> connection;
  bool broken = false;

  // Runs `work` on the connection, connecting again first if the last
  // operation lost it; a failure says what was being done.
  template <class T>
  Result<T> run(const std::string& doing, const std::function<T(pqxx::connection&)>& work) {
    if (broken || connection == nullptr) {
      Result<std::unique_ptr<pqxx::connection>> fresh = pg::connect(options, 0);
      if (!fresh.is_ok()) return fresh.status();
      connection = std::move(fresh).value();
      configure();
      broken = false;
    }
    try {
      return work(*connection);
    } catch (const std::exception& e) {
      if (pg::connection_lost(e)) broken = true;
      return Result<T>(ErrorCode::kIoError, "",
                       "PostgreSQL at " + options.shown + ", " + doing + " of shard " +
                           options.shard + ": " + pg::describe(e));
    }
  }
  // Lease statements run one at a time, each committed on its own
  // (nontransaction), so no lock of ours outlives a statement even if this
  // process is paused; and none waits long for another's lock.
  void configure() { connection->set_variable("lock_timeout", "'500ms'"); }
  // run() for work that returns nothing but success.
  Status run_status(const std::string& doing, const std::function<bool(pqxx::connection&)>& work) {
    Result<bool> done = run<bool>(doing, work);
    return done.is_ok() ? Status::ok() : done.status();
  }
};

ShardLease::ShardLease(std::unique_ptr<Impl> impl, std::string node, int ttl_ms)
    : impl_(std::move(impl)), node_(std::move(node)), ttl_ms_(ttl_ms) {}
ShardLease::~ShardLease() = default;

Result<std::unique_ptr<ShardLease>> ShardLease::open(const PostgresOptions& options,
                                                     std::string node, std::string address,
                                                     int ttl_ms) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->lease = "\"" + options.shard + "\".lease";  // store_spec.cc allows [a-z0-9_] only
  impl->nodes = "\"" + options.shard + "\".nodes";
  impl->journal = "\"" + options.shard + "\".journal";
  Result<std::unique_ptr<pqxx::connection>> connection =
      pg::connect(options, options.connect_retry_ms);
  if (!connection.is_ok()) return connection.status();
  impl->connection = std::move(connection).value();
  impl->configure();
  auto lease = std::unique_ptr<ShardLease>(new ShardLease(std::move(impl), node, ttl_ms));
  // The address is part of the node's report; kept here for try_acquire.
  lease->address_ = std::move(address);
  return lease;
}

Result<uint64_t> ShardLease::try_acquire() {
  return impl_->run<uint64_t>("taking the lease", [&](pqxx::connection& c) -> uint64_t {
    pqxx::nontransaction work(c);
    // A writer paused (SIGSTOP, a frozen VM) inside its append holds the
    // lease row locked FOR SHARE, and would hold it for as long as it is
    // paused: once its lease has expired, its journal session is ended
    // (its transaction rolls back, the lock goes). Matched by pid and start
    // time, so a pid the server has reused is never hit.
    work.exec("SELECT pg_terminate_backend(a.pid) FROM " + impl_->lease +
              " l JOIN pg_stat_activity a ON a.pid = l.writer_pid AND a.backend_start = "
              "l.writer_started WHERE l.expires_at < clock_timestamp() AND l.writer_pid <> 0 AND "
              "a.pid <> pg_backend_pid()");
    const pqxx::result rows =
        work.exec_params("UPDATE " + impl_->lease +
                             " SET holder = $1, address = $2, epoch = epoch + 1, "
                             "expires_at = clock_timestamp() + $3 * interval '1 millisecond', "
                             "changed_at = clock_timestamp() "
                             "WHERE expires_at < clock_timestamp() RETURNING epoch",
                         node_, address_, ttl_ms_);
    return rows.empty() ? 0 : rows[0][0].as<uint64_t>();
  });
}

Result<bool> ShardLease::renew(uint64_t epoch) {
  return impl_->run<bool>("renewing the lease", [&](pqxx::connection& c) {
    pqxx::nontransaction work(c);
    const pqxx::result rows =
        work.exec_params("UPDATE " + impl_->lease +
                             " SET expires_at = clock_timestamp() + $1 * interval '1 millisecond' "
                             "WHERE epoch = $2 AND holder = $3 RETURNING epoch",
                         ttl_ms_, static_cast<int64_t>(epoch), node_);
    return !rows.empty();
  });
}

Status ShardLease::release(uint64_t epoch) {
  return impl_->run_status("releasing the lease", [&](pqxx::connection& c) {
    pqxx::nontransaction work(c);
    work.exec_params("UPDATE " + impl_->lease +
                         " SET expires_at = '-infinity', changed_at = "
                         "clock_timestamp() WHERE epoch = $1 AND holder = $2",
                     static_cast<int64_t>(epoch), node_);
    return true;
  });
}

namespace {

LeaseState lease_of(const pqxx::row& row) {
  LeaseState state;
  state.holder = row[0].as<std::string>();
  state.address = row[1].as<std::string>();
  state.epoch = row[2].as<uint64_t>();
  state.expires_in_ms = row[3].as<int64_t>(0);
  return state;
}

// The lease's columns as lease_of reads them; -infinity (released, never
// held) reads as long expired.
std::string lease_query(const std::string& table) {
  return "SELECT holder, address, epoch, "
         "CASE WHEN expires_at = '-infinity' THEN -1000000000 ELSE "
         "(extract(epoch FROM expires_at - clock_timestamp()) * 1000)::bigint END FROM " +
         table;
}

}  // namespace

Result<LeaseState> ShardLease::read() {
  return impl_->run<LeaseState>("reading the lease", [&](pqxx::connection& c) {
    pqxx::nontransaction query(c);
    return lease_of(query.exec1(lease_query(impl_->lease)));
  });
}

Result<uint64_t> ShardLease::report(const std::string& role, uint64_t epoch, uint64_t applied_seq) {
  return impl_->run<uint64_t>("reporting this node", [&](pqxx::connection& c) -> uint64_t {
    pqxx::nontransaction work(c);
    work.exec_params("INSERT INTO " + impl_->nodes +
                         " (node, address, role, epoch, applied_seq, seen_at) "
                         "VALUES ($1, $2, $3, $4, $5, clock_timestamp()) "
                         "ON CONFLICT (node) DO UPDATE SET address = excluded.address, "
                         "role = excluded.role, epoch = excluded.epoch, "
                         "applied_seq = excluded.applied_seq, seen_at = excluded.seen_at",
                     node_, address_, role, static_cast<int64_t>(epoch),
                     static_cast<int64_t>(applied_seq));
    const uint64_t last =
        work.exec1("SELECT coalesce(max(seq), 0) FROM " + impl_->journal)[0].as<uint64_t>();
    return last;
  });
}

namespace {

// One schema's shard, or nothing when the schema is not a Zonegate journal.
// Throws pqxx::undefined_table when one of its tables is missing.
std::optional<ShardState> read_shard(pqxx::nontransaction& query, const std::string& name) {
  const std::string schema = query.quote_name(name);
  const pqxx::result application =
      query.exec("SELECT value FROM " + schema + ".meta WHERE key = 'application'");
  if (application.empty() || application[0][0].as<std::string>() != kJournalApplication) {
    return std::nullopt;
  }
  ShardState shard;
  shard.shard = name;
  shard.last_seq =
      query.exec1("SELECT coalesce(max(seq), 0) FROM " + schema + ".journal")[0].as<uint64_t>();
  const pqxx::result has_lease = query.exec_params(
      "SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = "
      "'lease'",
      name);
  if (!has_lease.empty()) {
    shard.lease = lease_of(query.exec1(lease_query(schema + ".lease")));
    for (const pqxx::row& node :
         query.exec("SELECT node, address, role, epoch, applied_seq, "
                    "(extract(epoch FROM clock_timestamp() - seen_at) * 1000)::bigint FROM " +
                    schema + ".nodes ORDER BY node")) {
      NodeState state;
      state.node = node[0].as<std::string>();
      state.address = node[1].as<std::string>();
      state.role = node[2].as<std::string>();
      state.epoch = node[3].as<uint64_t>();
      state.applied_seq = node[4].as<uint64_t>();
      state.seen_ms_ago = node[5].as<int64_t>(0);
      shard.nodes.push_back(std::move(state));
    }
  }
  return shard;
}

}  // namespace

Result<std::vector<ShardState>> ShardLease::list(const PostgresOptions& options) {
  Result<std::unique_ptr<pqxx::connection>> connection = pg::connect(options, 0);
  if (!connection.is_ok()) return connection.status();
  std::vector<ShardState> shards;
  try {
    pqxx::nontransaction query(**connection);
    // A schema is a Zonegate shard when its meta table says so.
    const pqxx::result schemas = query.exec(
        "SELECT table_schema FROM information_schema.tables WHERE table_name = 'meta' "
        "ORDER BY table_schema");
    for (const pqxx::row& row : schemas) {
      const std::string name = row[0].as<std::string>();
      try {
        std::optional<ShardState> shard = read_shard(query, name);
        if (shard) shards.push_back(std::move(*shard));
      } catch (const pqxx::undefined_table&) {
        // Each query is its own statement: a shard dropped since the list
        // was read is gone, not an error. One that is still there is damaged.
        const pqxx::result still = query.exec_params(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND "
            "table_name = 'meta'",
            name);
        if (!still.empty()) throw;
      }
    }
  } catch (const std::exception& e) {
    return Result<std::vector<ShardState>>(
        ErrorCode::kIoError, "",
        "PostgreSQL at " + options.shown + ", listing shards: " + pg::first_line(e.what()));
  }
  return shards;
}

}  // namespace zg
