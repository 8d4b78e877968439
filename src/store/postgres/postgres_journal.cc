#include "store/postgres/postgres_journal.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>
#include <tuple>
#include <vector>

namespace zg {
namespace {

// Marks the schema as ours: one without it is someone else's.
constexpr const char* kApplicationName = "zonegate-journal";
// Backoff while the server cannot be reached at open: 50 ms, doubling, at most 1 s.
constexpr int kConnectBackoffFirstMs = 50;
constexpr int kConnectBackoffMaxMs = 1'000;

// The first line of a libpq/libpqxx message: enough to say what went wrong.
std::string first_line(const char* what) {
  std::string text(what != nullptr ? what : "unknown error");
  const size_t newline = text.find('\n');
  if (newline != std::string::npos) text.resize(newline);
  return text;
}

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
  int fail_commits_after = -1;                   // a test's injected fault; -1: none
  int commits = 0;

  std::string table(const char* name) const { return schema + "." + name; }

  template <class Row>
  Status read_in_pages(const char* statement, const std::string& what, uint64_t from_seq,
                       const std::function<void(const pqxx::row&, Row&)>& decode,
                       const std::function<uint64_t(const Row&)>& seq_of,
                       const std::function<Status(const Row&)>& visit);

  Status failure(const std::string& doing, const std::exception& e) const {
    return Status(ErrorCode::kIoError, "",
                  "PostgreSQL at " + options.shown + ", " + doing + ": " + first_line(e.what()));
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
  }
};

namespace {

// Connects, retrying with backoff while the server cannot be reached (not
// started yet, restarting) for up to `retry_ms`; any other refusal (bad
// password, unknown database) is final at once.
Result<std::unique_ptr<pqxx::connection>> connect(const PostgresOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + std::chrono::milliseconds(options.connect_retry_ms);
  int backoff_ms = kConnectBackoffFirstMs;
  int attempts = 0;
  for (;;) {
    ++attempts;
    try {
      auto connection = std::make_unique<pqxx::connection>(options.url);
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

// Creates the shard's schema and tables when absent (and `create`), then
// checks they are a Zonegate journal of our format. In one transaction, so
// a failure leaves no half-made schema.
Status open_tables(pqxx::connection& connection, const PostgresOptions& options,
                   const std::string& schema, bool create) {
  pqxx::work work(connection);
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
                      "application", kApplicationName, "format",
                      std::to_string(PostgresJournal::kFormatVersion));
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
  if (application != kApplicationName) {
    return Status(ErrorCode::kUnsupportedFormat, "",
                  where + " holds tables, but not a Zonegate journal");
  }
  if (format != std::to_string(PostgresJournal::kFormatVersion)) {
    return Status(ErrorCode::kUnsupportedFormat, "",
                  where + " has journal format " + format + "; this zonegate reads format " +
                      std::to_string(PostgresJournal::kFormatVersion));
  }
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
  Result<std::unique_ptr<pqxx::connection>> connection = connect(impl->options);
  if (!connection.is_ok()) return connection.status();
  impl->connection = std::move(connection).value();
  try {
    Status tables = open_tables(*impl->connection, impl->options, impl->schema, create);
    if (!tables.is_ok()) return tables;
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

Status PostgresJournal::drop_shard(const PostgresOptions& options) {
  PostgresOptions once = options;
  once.connect_retry_ms = 0;
  Result<std::unique_ptr<pqxx::connection>> connection = connect(once);
  if (!connection.is_ok()) return connection.status();
  try {
    pqxx::work work(**connection);
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
  try {
    pqxx::work work(*impl.connection);
    // Another writer on this shard would show here (and its rows would
    // collide with ours on the primary key): the batch must follow what is
    // stored, not only what this process remembers.
    const uint64_t stored = work.exec_prepared1("last_seq")[0].as<uint64_t>();
    if (stored != impl.last_seq) {
      return Status(ErrorCode::kCorruption, "",
                    "shard " + impl.options.shard + " holds seq " + std::to_string(stored) +
                        " as its last, this writer expected " + std::to_string(impl.last_seq) +
                        ": another writer appended to it");
    }
    // COPY names the table unqualified: the schema is this transaction's path.
    work.exec0("SET LOCAL search_path TO " + impl.schema);
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
    // The connection broke during COMMIT: the batch may or may not be in.
    // Nothing is answered; a restart reads the journal and knows.
    return Status(ErrorCode::kIoError, "",
                  "PostgreSQL at " + impl.options.shown + ": the commit of " + range +
                      " is in doubt (" + first_line(e.what()) + "); restart to recover");
  } catch (const std::exception& e) {
    return impl.failure("appending " + range, e);  // rolled back: nothing of the batch is stored
  }
  impl.last_seq = batch.back().seq;
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
