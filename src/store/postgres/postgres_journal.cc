#include "store/postgres/postgres_journal.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>
#include <tuple>
#include <vector>

#include "store/postgres/pg_connection.h"

namespace zg {
namespace {

// Bytes as PostgreSQL's bytea hex input, "\x0a1b…".
template <size_t N>
std::string bytea_hex(const std::array<unsigned char, N>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text = "\\x";
  text.reserve(2 + 2 * N);
  for (unsigned char byte : bytes) {
    text.push_back(kDigits[byte >> 4]);
    text.push_back(kDigits[byte & 15]);
  }
  return text;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A bytea field (hex output, "\x…") into a fixed-size array; a value of
// another length or form reads as zeros, which no hash or proof matches.
template <size_t N>
void read_bytea(const pqxx::field& field, std::array<unsigned char, N>& out) {
  out.fill(0);
  const char* text = field.c_str();
  if (field.is_null() || field.size() != 2 + 2 * N || text[0] != '\\' || text[1] != 'x') return;
  std::array<unsigned char, N> bytes{};
  for (size_t i = 0; i < N; ++i) {
    const int high = hex_value(text[2 + 2 * i]);
    const int low = hex_value(text[3 + 2 * i]);
    if (high < 0 || low < 0) return;
    bytes[i] = static_cast<unsigned char>(high * 16 + low);
  }
  out = bytes;
}

}  // namespace

struct PostgresJournal::Impl {
  PostgresOptions options;
  std::string schema;  // quoted: "zone"
  mutable std::mutex mutex;
  std::unique_ptr<pqxx::connection> connection;  // GUARDED_BY(mutex)
  uint64_t last_seq = 0;                         // GUARDED_BY(mutex)
  uint64_t writer_epoch = 0;                     // GUARDED_BY(mutex): become_writer's
  bool broken = false;          // GUARDED_BY(mutex): the connection failed; make a new one first
  int fail_commits_after = -1;  // a test's injected fault; -1: none
  int commits = 0;

  // A new connection after the old one broke (the server restarted, the
  // network dropped), trying for up to `retry_ms`.
  Status reconnect(int retry_ms);
  // Records this connection's session in the lease (for a writer with an
  // epoch), so a node that takes the lease over can end it.
  Status name_writer();
  // Makes sure the connection is usable: reconnects at once if it broke.
  Status ready() { return broken ? reconnect(0) : Status::ok(); }
  // One try at appending `batch` (see append()); `retrying` after a try
  // whose commit may have landed.
  Status append_once(std::span<const JournalEntry> batch, const std::string& range, bool retrying);

  std::string table(const char* name) const { return schema + "." + name; }

  template <class Row>
  Status read_in_pages(const char* statement, const std::string& what, uint64_t from_seq,
                       const std::function<void(const pqxx::row&, Row&)>& decode,
                       const std::function<uint64_t(const Row&)>& seq_of,
                       const std::function<Status(const Row&)>& visit);

  // An error of `doing`; a lost connection is remembered, so the next
  // operation connects again rather than fail on the dead one.
  Status failure(const std::string& doing, const std::exception& e) {
    if (pg::connection_lost(e)) broken = true;
    return Status(ErrorCode::kIoError, "",
                  "PostgreSQL at " + options.shown + ", " + doing + ": " + pg::describe(e));
  }

  void prepare_statements() {
    connection->prepare("read_page", "SELECT seq, entry, leaf FROM " + table("journal") +
                                         " WHERE seq >= $1 ORDER BY seq LIMIT $2");
    connection->prepare("read_leaves_page", "SELECT seq, leaf FROM " + table("journal") +
                                                " WHERE seq >= $1 ORDER BY seq LIMIT $2");
    connection->prepare("last_seq", "SELECT coalesce(max(seq), 0) FROM " + table("journal"));
    connection->prepare("put_meta", "INSERT INTO " + table("meta") +
                                        " (key, value) VALUES ($1, $2) "
                                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    connection->prepare("get_meta", "SELECT value FROM " + table("meta") + " WHERE key = $1");
    connection->prepare("put_tree_head",
                        "INSERT INTO " + table("tree_heads") +
                            " (size, root, timestamp_ms, signature) VALUES ($1, $2, $3, $4) "
                            "ON CONFLICT (size) DO NOTHING");
    connection->prepare("tree_heads", "SELECT size, root, timestamp_ms, signature FROM " +
                                          table("tree_heads") + " ORDER BY size");
    // The fence: locked FOR KEY SHARE until the append commits, so a node
    // taking the lease (an UPDATE of the key, epoch) waits for the append,
    // and every append after the takeover sees the new epoch.
    connection->prepare("fence", "SELECT epoch, holder, expires_at > clock_timestamp() FROM " +
                                     table("lease") + " FOR KEY SHARE");
    connection->prepare("leaves_between", "SELECT seq, leaf FROM " + table("journal") +
                                              " WHERE seq BETWEEN $1 AND $2 ORDER BY seq");
    connection->prepare("name_writer",
                        "UPDATE " + table("lease") +
                            " SET writer_pid = pg_backend_pid(), writer_started = "
                            "(SELECT backend_start FROM pg_stat_activity WHERE pid = "
                            "pg_backend_pid()) WHERE epoch = $1");
  }
};

namespace {

// The shard's lease (one row: who writes, at which epoch, until when), the
// nodes that follow it (store/postgres/shard_lease.h) and the snapshots
// they share. Made when absent, so a shard from before them gains them;
// nothing is altered when present (DDL on the lease table would lock it
// against every node's renewals for as long as it waits).
void ensure_lease_tables(pqxx::work& work, const std::string& shard, const std::string& schema) {
  const auto has_table = [&](const char* name) {
    return !work.exec_params(
                    "SELECT 1 FROM information_schema.tables WHERE table_schema = $1 "
                    "AND table_name = $2",
                    shard, name)
                .empty();
  };
  if (!has_table("lease")) {
    // writer_pid, writer_started: the writer's journal session, so that a
    // node taking over can end a paused writer's open transaction and its
    // lock. The epoch is a key (unique index), so a takeover, which changes
    // it, is a key update: it conflicts with an append's FOR KEY SHARE,
    // while a renewal (expires_at only) does not, and never waits for one.
    work.exec0("CREATE TABLE " + schema +
               ".lease (only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row), "
               "holder text NOT NULL, address text NOT NULL, epoch bigint NOT NULL, "
               "expires_at timestamptz NOT NULL, changed_at timestamptz NOT NULL, "
               "writer_pid integer NOT NULL DEFAULT 0, writer_started timestamptz)");
    work.exec0("INSERT INTO " + schema +
               ".lease VALUES (true, '', '', 0, '-infinity', clock_timestamp())");
    work.exec0("CREATE UNIQUE INDEX lease_epoch ON " + schema + ".lease (epoch)");
  }
  if (!has_table("nodes")) {
    work.exec0("CREATE TABLE " + schema +
               ".nodes (node text PRIMARY KEY, address text NOT NULL, role text NOT NULL, "
               "epoch bigint NOT NULL, applied_seq bigint NOT NULL, seen_at timestamptz NOT NULL)");
  }
  if (!has_table("snapshots")) {
    work.exec0("CREATE TABLE " + schema +
               ".snapshots (seq bigint PRIMARY KEY, object oid NOT NULL, bytes bigint NOT NULL, "
               "kept_at timestamptz NOT NULL)");
  }
}

// The version of the views below: a shard whose meta names another gets
// them made again (analysts' queries hold the old ones meanwhile).
constexpr const char* kReadModelsVersion = "1";

// The shard's read models for analysts: SQL views over the journal (each
// row's entry as jsonb), so the zone's figures are queries in the database
// they already run. Amounts are numeric, exact as the results print them.
// A row PostgreSQL's jsonb or timestamptz cannot hold (a NUL in a string,
// a UTC offset past 15:59) reads as NULL there rather than failing every
// query of the view.
void make_read_models(pqxx::work& work, const std::string& schema) {
  work.exec0("CREATE OR REPLACE FUNCTION " + schema +
             ".zg_jsonb(text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $f$ "
             "BEGIN RETURN $1::jsonb; EXCEPTION WHEN others THEN "
             "BEGIN RETURN replace($1, '\\u0000', '\\ufffd')::jsonb; "
             "EXCEPTION WHEN others THEN RETURN NULL; END; END $f$");
  work.exec0("CREATE OR REPLACE FUNCTION " + schema +
             ".zg_time(text) RETURNS timestamptz LANGUAGE plpgsql STABLE AS $f$ "
             "BEGIN RETURN $1::timestamptz; EXCEPTION WHEN others THEN RETURN NULL; END $f$");
  work.exec0("DROP VIEW IF EXISTS " + schema + ".declaration_items, " + schema + ".declarations, " +
             schema + ".commands");
  work.exec0("CREATE VIEW " + schema +
             ".commands AS SELECT j.seq, x.e->'command'->>'id' AS id, "
             "x.e->'command'->>'type' AS type, " +
             schema +
             ".zg_time(x.e->'command'->>'at') AS at, "
             "x.e->'result'->>'status' AS status, x.e->>'pack' AS pack, "
             "x.e->'command' AS command, x.e->'result' AS result FROM " +
             schema + ".journal j, LATERAL (SELECT " + schema + ".zg_jsonb(j.entry) AS e) x");
  const auto amount = [](const char* from, const char* name) {
    return std::string("(") + from + "->>'" + name + "')::numeric AS " + name;
  };
  work.exec0("CREATE VIEW " + schema +
             ".declarations AS SELECT seq, result->>'declaration' AS number, "
             "command->>'declarant' AS declarant, result->>'movement' AS movement, "
             "command->>'purpose' AS purpose, at, result->>'policy' AS policy, "
             "result->>'lane' AS lane, " +
             amount("result->'totals'", "customs_value") + ", " +
             amount("result->'totals'", "duty") + ", " +
             amount("result->'totals'", "consumption_tax") + ", " +
             amount("result->'totals'", "vat") + ", " + amount("result->'totals'", "refund") +
             " FROM " + schema + ".commands WHERE type = 'declare' AND status = 'accepted'");
  work.exec0("CREATE VIEW " + schema +
             ".declaration_items AS SELECT c.seq, c.result->>'declaration' AS number, "
             "(i->>'line')::int AS line, i->>'item' AS item, i->>'hs' AS hs, "
             "i->>'goods_status' AS goods_status, " +
             amount("i", "customs_value") + ", " + amount("i", "duty") + ", " +
             amount("i", "consumption_tax") + ", " + amount("i", "vat") + ", " +
             amount("i", "refund") + ", i->'rules' AS rules FROM " + schema +
             ".commands c, jsonb_array_elements(c.result->'items') i "
             "WHERE c.type = 'declare' AND c.status = 'accepted'");
  work.exec_params0("INSERT INTO " + schema +
                        ".meta (key, value) VALUES ('read_models', $1) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    kReadModelsVersion);
}

// Makes the views when the shard's are of another version, in a
// transaction of their own that waits at most 2 s for analysts' queries on
// the old ones: the views are a convenience, never a reason not to start.
void refresh_read_models(pqxx::connection& connection, const PostgresOptions& options,
                         const std::string& schema) {
  try {
    pqxx::work work(connection);
    work.exec0("SET LOCAL lock_timeout = '2s'");
    work.exec_params("SELECT pg_advisory_xact_lock(hashtext($1))", "zonegate:" + options.shard);
    const pqxx::result version =
        work.exec("SELECT value FROM " + schema + ".meta WHERE key = 'read_models'");
    if (!version.empty() && version[0][0].as<std::string>() == kReadModelsVersion) return;
    make_read_models(work, schema);
    work.commit();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zonegate: the SQL views of shard %s were not made: %s\n",
                 options.shard.c_str(), pg::first_line(e.what()).c_str());
  }
}

// Creates the shard's schema and tables when absent (and `create`), then
// checks they are a Zonegate journal of our format. In one transaction, so
// a failure leaves no half-made schema.
Status open_tables(pqxx::connection& connection, const PostgresOptions& options,
                   const std::string& schema, bool create) {
  pqxx::work work(connection);
  // Nodes of one shard often start together: one at a time makes or
  // updates its tables and views (a lock for this transaction only).
  work.exec_params("SELECT pg_advisory_xact_lock(hashtext($1))", "zonegate:" + options.shard);
  const pqxx::result tables = work.exec_params(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1", options.shard);
  const std::string where = "shard " + options.shard + " of " + options.shown;
  if (tables.empty()) {
    if (!create) {
      return Status(ErrorCode::kIoError, "", where + " holds no journal");
    }
    work.exec0("CREATE SCHEMA IF NOT EXISTS " + schema);
    work.exec0("CREATE TABLE " + schema + ".meta (key text PRIMARY KEY, value text NOT NULL)");
    work.exec0("CREATE TABLE " + schema +
               ".journal (seq bigint PRIMARY KEY, entry text NOT NULL, leaf bytea NOT NULL)");
    work.exec0("CREATE TABLE " + schema +
               ".tree_heads (size bigint PRIMARY KEY, root bytea NOT NULL, "
               "timestamp_ms bigint NOT NULL, signature bytea NOT NULL)");
    work.exec_params0("INSERT INTO " + schema + ".meta (key, value) VALUES ($1, $2), ($3, $4)",
                      "application", std::string(kJournalApplication), "format",
                      std::to_string(PostgresJournal::kFormatVersion));
    ensure_lease_tables(work, options.shard, schema);
    work.commit();
    return Status::ok();
  }
  bool has_meta = false;
  for (const pqxx::row& row : tables) has_meta = has_meta || row[0].as<std::string>() == "meta";
  std::string application;
  std::string format = "?";
  if (has_meta) {
    const pqxx::result rows = work.exec("SELECT key, value FROM " + schema +
                                        ".meta WHERE key IN ('application', 'format')");
    for (const pqxx::row& row : rows) {
      (row[0].as<std::string>() == "application" ? application : format) = row[1].as<std::string>();
    }
  }
  if (application != kJournalApplication) {
    return Status(ErrorCode::kUnsupportedFormat, "",
                  where + " holds tables, but not a Zonegate journal");
  }
  if (format != std::to_string(PostgresJournal::kFormatVersion)) {
    return Status(ErrorCode::kUnsupportedFormat, "",
                  where + " has journal format " + format + "; this zonegate reads format " +
                      std::to_string(PostgresJournal::kFormatVersion));
  }
  ensure_lease_tables(work, options.shard, schema);
  work.commit();
  return Status::ok();
}

}  // namespace

PostgresJournal::PostgresJournal(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PostgresJournal::~PostgresJournal() = default;

Result<std::unique_ptr<PostgresJournal>> PostgresJournal::open(const PostgresOptions& options,
                                                               bool create) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  if (impl->options.shown.empty()) impl->options.shown = "the server";
  impl->schema = "\"" + options.shard + "\"";  // store_spec.cc allows [a-z0-9_] only
  Result<std::unique_ptr<pqxx::connection>> connection =
      pg::connect(impl->options, impl->options.connect_retry_ms);
  if (!connection.is_ok()) return connection.status();
  impl->connection = std::move(connection).value();
  try {
    Status tables = open_tables(*impl->connection, impl->options, impl->schema, create);
    if (!tables.is_ok()) return tables;
    refresh_read_models(*impl->connection, impl->options, impl->schema);
    impl->prepare_statements();
    pqxx::nontransaction read(*impl->connection);
    impl->last_seq = read.exec_prepared1("last_seq")[0].as<uint64_t>();
  } catch (const std::exception& e) {
    return impl->failure("opening shard " + options.shard, e);
  }
  // Fault injection for tests, as in the SQLite store: ZG_FAULT_FAIL_COMMIT=N
  // makes every commit after the first N fail.
  if (const char* fault = std::getenv("ZG_FAULT_FAIL_COMMIT")) {
    impl->fail_commits_after = std::atoi(fault);
  }
  return std::unique_ptr<PostgresJournal>(new PostgresJournal(std::move(impl)));
}

Status PostgresJournal::keep_snapshot(uint64_t seq, const std::string& file) {
  Result<std::unique_ptr<pqxx::connection>> connection = pg::connect(impl_->options, 0);
  if (!connection.is_ok()) return connection.status();
  const std::string table = impl_->table("snapshots");
  try {
    pqxx::work work(**connection);
    // One node at a time keeps and prunes (two prunes would unlink twice).
    work.exec_params("SELECT pg_advisory_xact_lock(hashtext($1))",
                     "zonegate-snapshots:" + impl_->options.shard);
    if (!work.exec_params("SELECT 1 FROM " + table + " WHERE seq = $1", static_cast<int64_t>(seq))
             .empty()) {
      return Status::ok();  // kept already (by another node)
    }
    std::error_code error;
    const auto bytes = static_cast<int64_t>(std::filesystem::file_size(file, error));
    if (error)
      return Status(ErrorCode::kIoError, "", "cannot read " + file + ": " + error.message());
    const pqxx::largeobject object(work, file);  // lo_import of the local file
    work.exec_params0("INSERT INTO " + table +
                          " (seq, object, bytes, kept_at) VALUES ($1, $2, $3, clock_timestamp())",
                      static_cast<int64_t>(seq), static_cast<int64_t>(object.id()), bytes);
    // The two newest stay, as in a data directory.
    work.exec("SELECT lo_unlink(object) FROM " + table + " WHERE seq < (SELECT min(seq) FROM " +
              "(SELECT seq FROM " + table + " ORDER BY seq DESC LIMIT 2) newest)");
    work.exec0("DELETE FROM " + table + " WHERE seq < (SELECT min(seq) FROM (SELECT seq FROM " +
               table + " ORDER BY seq DESC LIMIT 2) newest)");
    work.commit();
  } catch (const std::exception& e) {
    return Status(ErrorCode::kIoError, "",
                  "PostgreSQL at " + impl_->options.shown + ", keeping snapshot " +
                      std::to_string(seq) + ": " + pg::describe(e));
  }
  return Status::ok();
}

Result<uint64_t> PostgresJournal::newest_kept_snapshot() const {
  std::lock_guard lock(impl_->mutex);
  if (Status usable = impl_->ready(); !usable.is_ok()) return usable;
  try {
    pqxx::nontransaction query(*impl_->connection);
    return query.exec("SELECT coalesce(max(seq), 0) FROM " + impl_->table("snapshots"))[0][0]
        .as<uint64_t>();
  } catch (const std::exception& e) {
    return Result<uint64_t>(impl_->failure("reading the snapshots kept", e));
  }
}

Status PostgresJournal::fetch_snapshot(uint64_t seq, const std::string& file) const {
  Result<std::unique_ptr<pqxx::connection>> connection = pg::connect(impl_->options, 0);
  if (!connection.is_ok()) return connection.status();
  try {
    pqxx::work work(**connection);
    const pqxx::result rows =
        work.exec_params("SELECT object FROM " + impl_->table("snapshots") + " WHERE seq = $1",
                         static_cast<int64_t>(seq));
    if (rows.empty()) {
      return Status(ErrorCode::kIoError, "", "no snapshot " + std::to_string(seq) + " is kept");
    }
    pqxx::largeobject(rows[0][0].as<pqxx::oid>()).to_file(work, file);  // lo_export
    work.commit();
  } catch (const std::exception& e) {
    return Status(ErrorCode::kIoError, "",
                  "PostgreSQL at " + impl_->options.shown + ", fetching snapshot " +
                      std::to_string(seq) + ": " + pg::describe(e));
  }
  return Status::ok();
}

Status PostgresJournal::drop_shard(const PostgresOptions& options) {
  PostgresOptions once = options;
  once.connect_retry_ms = 0;
  Result<std::unique_ptr<pqxx::connection>> connection = pg::connect(once, 0);
  if (!connection.is_ok()) return connection.status();
  try {
    pqxx::work work(**connection);
    // Large objects live outside the schema: the snapshots' go first.
    if (!work.exec_params("SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND "
                          "table_name = 'snapshots'",
                          options.shard)
             .empty()) {
      // Locked first: a snapshot kept meanwhile would be left behind.
      work.exec0("LOCK TABLE \"" + options.shard + "\".snapshots IN ACCESS EXCLUSIVE MODE");
      work.exec("SELECT lo_unlink(object) FROM \"" + options.shard + "\".snapshots");
    }
    work.exec0("DROP SCHEMA IF EXISTS \"" + options.shard + "\" CASCADE");
    work.commit();
  } catch (const std::exception& e) {
    return Status(ErrorCode::kIoError, "", "dropping shard " + options.shard + ": " + e.what());
  }
  return Status::ok();
}

uint64_t PostgresJournal::last_seq() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->last_seq;
}

Status PostgresJournal::Impl::reconnect(int retry_ms) {
  broken = true;  // until the new connection is ready, statements and all
  Result<std::unique_ptr<pqxx::connection>> fresh = pg::connect(options, retry_ms);
  if (!fresh.is_ok()) return fresh.status();
  connection = std::move(fresh).value();
  try {
    prepare_statements();
  } catch (const std::exception& e) {
    return failure("preparing statements", e);
  }
  Status named = name_writer();
  if (named.is_ok()) broken = false;
  return named;
}

Status PostgresJournal::Impl::name_writer() {
  if (writer_epoch == 0) return Status::ok();
  try {
    pqxx::work write(*connection);
    write.exec0("SET LOCAL lock_timeout = '2s'");  // never stuck behind a paused session
    write.exec_prepared0("name_writer", static_cast<int64_t>(writer_epoch));
    write.commit();
  } catch (const std::exception& e) {
    return failure("naming the writer's session in the lease", e);
  }
  return Status::ok();
}

Status PostgresJournal::become_writer(uint64_t epoch) {
  std::lock_guard lock(impl_->mutex);
  Status ready = impl_->ready();
  if (!ready.is_ok()) return ready;
  try {
    pqxx::nontransaction read(*impl_->connection);
    impl_->last_seq = read.exec_prepared1("last_seq")[0].as<uint64_t>();
  } catch (const std::exception& e) {
    return impl_->failure("reading the journal's last seq", e);
  }
  impl_->writer_epoch = epoch;
  return impl_->name_writer();
}

Status PostgresJournal::append(std::span<const JournalEntry> batch) {
  if (batch.empty()) return Status::ok();
  std::lock_guard lock(impl_->mutex);
  Impl& impl = *impl_;
  if (impl.fail_commits_after >= 0 && impl.commits++ >= impl.fail_commits_after) {
    return Status(
        ErrorCode::kIoError, "",
        "injected fault: commit " + std::to_string(impl.commits) + " fails (ZG_FAULT_FAIL_COMMIT)");
  }
  // Checked before anything is sent: a gap or a repeat is the caller's bug
  // or a second writer, and the journal must not take it.
  uint64_t expected = impl.last_seq + 1;
  for (const JournalEntry& entry : batch) {
    if (entry.seq != expected++) {
      return Status(ErrorCode::kCorruption, "",
                    "journal append out of order: seq " + std::to_string(entry.seq) + " after " +
                        std::to_string(expected - 2));
    }
  }
  const std::string range =
      "seq " + std::to_string(batch.front().seq) + "-" + std::to_string(batch.back().seq);
  // A lost connection (the server restarting, the network dropping) is
  // waited out for reconnect_retry_ms: the answers wait, nothing is lost.
  // A commit cut off mid-way may have landed; the next try finds out.
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(impl.options.reconnect_retry_ms);
  bool retrying = false;
  for (;;) {
    const int left_ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             deadline - std::chrono::steady_clock::now())
                                             .count());
    Status status = impl.broken ? impl.reconnect(std::max(left_ms, 0)) : Status::ok();
    if (status.is_ok()) status = impl.append_once(batch, range, retrying);
    if (status.is_ok()) break;
    if (!impl.broken || left_ms <= 0) return status;
    if (!retrying) {
      std::fprintf(stderr, "zonegate: %s; reconnecting (for %.1f s at most)\n",
                   status.first().message.c_str(), left_ms / 1000.0);
    }
    retrying = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(pg::kConnectBackoffFirstMs));
  }
  impl.last_seq = batch.back().seq;
  return Status::ok();
}

Status PostgresJournal::Impl::append_once(std::span<const JournalEntry> batch,
                                          const std::string& range, bool retrying) {
  try {
    pqxx::work work(*connection);
    // Another writer on this shard would show here (and its rows would
    // collide with ours on the primary key): the batch must follow what is
    // stored, not only what this process remembers.
    const uint64_t stored = work.exec_prepared1("last_seq")[0].as<uint64_t>();
    if (retrying && stored >= batch.back().seq) {
      // The commit that was cut off landed if every row of the batch is
      // there as ours (another writer's rows at these seqs are not).
      const pqxx::result rows =
          work.exec_prepared("leaves_between", static_cast<int64_t>(batch.front().seq),
                             static_cast<int64_t>(batch.back().seq));
      bool landed = rows.size() == batch.size();
      for (size_t i = 0; landed && i < batch.size(); ++i) {
        Digest leaf{};
        read_bytea(rows[static_cast<pqxx::result::size_type>(i)][1], leaf);
        landed = leaf == batch[i].leaf_hash;
      }
      if (landed) return Status::ok();
    }
    const pqxx::row lease = work.exec_prepared1("fence");
    const uint64_t epoch = lease[0].as<uint64_t>();
    const bool live = lease[2].as<bool>();
    if (writer_epoch != 0 && epoch != writer_epoch) {
      return Status(ErrorCode::kFenced, "",
                    "shard " + options.shard + ": the lease is at epoch " + std::to_string(epoch) +
                        " (node " + lease[1].as<std::string>() + "), this writer held epoch " +
                        std::to_string(writer_epoch) + ": " + range + " refused");
    }
    if (writer_epoch == 0 && live) {
      return Status(ErrorCode::kFenced, "",
                    "shard " + options.shard + " is served by node " + lease[1].as<std::string>() +
                        " (epoch " + std::to_string(epoch) +
                        "): send the commands to it, or stop it first");
    }
    if (stored != last_seq) {
      return Status(ErrorCode::kCorruption, "",
                    "shard " + options.shard + " holds seq " + std::to_string(stored) +
                        " as its last, this writer expected " + std::to_string(last_seq) +
                        ": another writer appended to it");
    }
    // COPY names the table unqualified: the schema is this transaction's path.
    work.exec0("SET LOCAL search_path TO " + schema);
    {
      pqxx::stream_to copy(work, "journal", std::vector<std::string>{"seq", "entry", "leaf"});
      for (const JournalEntry& entry : batch) {
        copy << std::make_tuple(static_cast<int64_t>(entry.seq), entry.entry,
                                bytea_hex(entry.leaf_hash));
      }
      copy.complete();
    }
    work.commit();  // returns once the commit's WAL is flushed (synchronous_commit=on)
  } catch (const pqxx::in_doubt_error& e) {
    // The connection broke during COMMIT: the batch may or may not be in;
    // the next try (on a new connection) reads which.
    broken = true;
    return Status(ErrorCode::kIoError, "",
                  "PostgreSQL at " + options.shown + ": the commit of " + range + " is in doubt (" +
                      pg::first_line(e.what()) + ")");
  } catch (const std::exception& e) {
    return failure("appending " + range, e);  // rolled back: nothing of the batch is stored
  }
  return Status::ok();
}

// Reads the journal from `from_seq` in pages of the options' size with the
// prepared `statement` (seq and page size as its parameters), each row
// decoded by `decode`; a page is visited outside the lock, so the committer
// may append meanwhile. `what` names the read in errors.
template <class Row>
Status PostgresJournal::Impl::read_in_pages(
    const char* statement, const std::string& what, uint64_t from_seq,
    const std::function<void(const pqxx::row&, Row&)>& decode,
    const std::function<uint64_t(const Row&)>& seq_of,
    const std::function<Status(const Row&)>& visit) {
  std::vector<Row> page;
  uint64_t next = std::max<uint64_t>(from_seq, 1);
  const size_t page_rows = std::max<size_t>(options.read_page_rows, 1);
  for (;;) {
    page.clear();
    {
      std::lock_guard lock(mutex);
      if (Status usable = ready(); !usable.is_ok()) return usable;
      try {
        pqxx::nontransaction query(*connection);
        const pqxx::result rows = query.exec_prepared(statement, static_cast<int64_t>(next),
                                                      static_cast<int64_t>(page_rows));
        page.resize(rows.size());
        for (size_t i = 0; i < rows.size(); ++i) {
          decode(rows[static_cast<pqxx::result::size_type>(i)], page[i]);
        }
      } catch (const std::exception& e) {
        return failure(what + " from seq " + std::to_string(next), e);
      }
    }
    for (const Row& row : page) {
      Status status = visit(row);
      if (!status.is_ok()) return status;
    }
    if (page.size() < page_rows) return Status::ok();
    next = seq_of(page.back()) + 1;
  }
}

Status PostgresJournal::read(uint64_t from_seq,
                             const std::function<Status(const JournalEntry&)>& visit) const {
  return impl_->read_in_pages<JournalEntry>(
      "read_page", "reading the journal", from_seq,
      [](const pqxx::row& row, JournalEntry& entry) {
        entry.seq = row[0].as<uint64_t>();
        entry.entry.assign(row[1].c_str(), row[1].size());
        read_bytea(row[2], entry.leaf_hash);
      },
      [](const JournalEntry& entry) { return entry.seq; }, visit);
}

Status PostgresJournal::read_leaves(
    uint64_t from_seq, const std::function<Status(uint64_t, const Digest&)>& visit) const {
  using Leaf = std::pair<uint64_t, Digest>;
  return impl_->read_in_pages<Leaf>(
      "read_leaves_page", "reading the journal's leaves", from_seq,
      [](const pqxx::row& row, Leaf& leaf) {
        leaf.first = row[0].as<uint64_t>();
        read_bytea(row[1], leaf.second);
      },
      [](const Leaf& leaf) { return leaf.first; },
      [&](const Leaf& leaf) { return visit(leaf.first, leaf.second); });
}

Status PostgresJournal::append_tree_head(const StoredTreeHead& head) {
  std::lock_guard lock(impl_->mutex);
  if (Status usable = impl_->ready(); !usable.is_ok()) return usable;
  try {
    pqxx::work work(*impl_->connection);
    work.exec_prepared0("put_tree_head", static_cast<int64_t>(head.size), bytea_hex(head.root),
                        head.timestamp_ms, bytea_hex(head.signature));
    work.commit();
  } catch (const std::exception& e) {
    return impl_->failure("writing the tree head of size " + std::to_string(head.size), e);
  }
  return Status::ok();
}

Status PostgresJournal::read_tree_heads(
    const std::function<Status(const StoredTreeHead&)>& visit) const {
  std::vector<StoredTreeHead> heads;  // a minute apart at most: 525,600 a year, read once
  {
    std::lock_guard lock(impl_->mutex);
    if (Status usable = impl_->ready(); !usable.is_ok()) return usable;
    try {
      pqxx::nontransaction query(*impl_->connection);
      const pqxx::result rows = query.exec_prepared("tree_heads");
      heads.resize(rows.size());
      for (size_t i = 0; i < rows.size(); ++i) {
        const pqxx::row row = rows[static_cast<pqxx::result::size_type>(i)];
        heads[i].size = row[0].as<uint64_t>();
        read_bytea(row[1], heads[i].root);
        heads[i].timestamp_ms = row[2].as<int64_t>();
        read_bytea(row[3], heads[i].signature);
      }
    } catch (const std::exception& e) {
      return impl_->failure("reading the tree heads", e);
    }
  }
  for (const StoredTreeHead& head : heads) {
    Status status = visit(head);
    if (!status.is_ok()) return status;
  }
  return Status::ok();
}

Status PostgresJournal::put_meta(std::string_view key, std::string_view value) {
  std::lock_guard lock(impl_->mutex);
  if (Status usable = impl_->ready(); !usable.is_ok()) return usable;
  try {
    pqxx::work work(*impl_->connection);
    work.exec_prepared0("put_meta", std::string(key), std::string(value));
    work.commit();
  } catch (const std::exception& e) {
    return impl_->failure("writing meta " + std::string(key), e);
  }
  return Status::ok();
}

Result<std::string> PostgresJournal::get_meta(std::string_view key) const {
  std::lock_guard lock(impl_->mutex);
  if (Status usable = impl_->ready(); !usable.is_ok()) return usable;
  try {
    pqxx::nontransaction query(*impl_->connection);
    const pqxx::result rows = query.exec_prepared("get_meta", std::string(key));
    if (rows.empty()) return std::string();
    return rows[0][0].as<std::string>();
  } catch (const std::exception& e) {
    return Result<std::string>(impl_->failure("reading meta " + std::string(key), e));
  }
}

}  // namespace zg
