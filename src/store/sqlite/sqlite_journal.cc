#include "store/sqlite/sqlite_journal.h"

#include <sqlite3.h>

#include <cstdlib>
#include <cstring>

namespace zg {
namespace {

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt* get() const { return stmt_; }
  bool ok() const { return stmt_ != nullptr; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace

Status SqliteJournal::error(const std::string& what) const {
  return Status(ErrorCode::kIoError, "", what + ": " + sqlite3_errmsg(db_));
}

// Undoes a failed batch. Its own failure changes nothing: SQLite rolls an
// unfinished transaction back when the connection closes or the next begins.
void SqliteJournal::rollback() {
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

Status SqliteJournal::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message != nullptr ? message : "unknown error";
    sqlite3_free(message);
    return Status(ErrorCode::kIoError, "", std::string(sql).substr(0, 40) + "…: " + text);
  }
  return Status::ok();
}

Result<std::unique_ptr<SqliteJournal>> SqliteJournal::open(const std::string& path, bool create,
                                                           int busy_timeout_ms) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Result<std::unique_ptr<SqliteJournal>>(ErrorCode::kIoError, "",
                                                  "cannot open " + path + ": " + message);
  }
  sqlite3_busy_timeout(db, busy_timeout_ms);  // see kBusyTimeoutMs
  std::unique_ptr<SqliteJournal> journal(new SqliteJournal(db));
  // A file that is not SQLite fails here, before anything is written.
  bool empty = false;
  {
    Statement tables(db, "SELECT count(*) FROM sqlite_master");
    if (!tables.ok() || sqlite3_step(tables.get()) != SQLITE_ROW) {
      return Result<std::unique_ptr<SqliteJournal>>(
          ErrorCode::kUnsupportedFormat, "",
          path + " is not a Zonegate journal (not an SQLite database)");
    }
    empty = sqlite3_column_int(tables.get(), 0) == 0;
  }  // finalized here: no statement may be open while the journal mode changes
  if (empty) {
    // Large pages: a journal row is about a kilobyte and a group commit
    // writes megabytes, so fewer, larger WAL frames mean fewer system calls.
    for (const char* sql : {"PRAGMA page_size=65536", "PRAGMA journal_mode=WAL",
                            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
                            "CREATE TABLE journal (seq INTEGER PRIMARY KEY, entry TEXT NOT NULL, "
                            "leaf BLOB NOT NULL)"}) {
      Status status = journal->exec(sql);
      if (!status.is_ok()) return status;
    }
    Status status = journal->put_meta("application", kJournalApplication);
    if (status.is_ok()) status = journal->put_meta("format", std::to_string(kFormatVersion));
    if (!status.is_ok()) return status;
  }
  Result<std::string> application = journal->get_meta("application");
  if (!application.is_ok() || *application != kJournalApplication) {
    return Result<std::unique_ptr<SqliteJournal>>(
        ErrorCode::kUnsupportedFormat, "",
        path + " is an SQLite database, but not a Zonegate journal");
  }
  Result<std::string> format = journal->get_meta("format");
  if (!format.is_ok() || *format != std::to_string(kFormatVersion)) {
    return Result<std::unique_ptr<SqliteJournal>>(
        ErrorCode::kUnsupportedFormat, "",
        path + " has journal format " + (format.is_ok() ? *format : std::string("?")) +
            "; this zonegate reads format " + std::to_string(kFormatVersion));
  }
  // Durable before acknowledged: WAL, and every commit synced.
  // Checkpoint the WAL into the database every 128 MiB (2,048 pages of
  // 64 KiB) rather than every 1,000 pages: a checkpoint copies pages and
  // syncs the main file, and at the default it ran with nearly every group
  // commit. journal_size_limit keeps the WAL file from staying large.
  for (const char* sql :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA wal_autocheckpoint=2048",
        "PRAGMA journal_size_limit=134217728"}) {
    Status status = journal->exec(sql);
    if (!status.is_ok()) return status;
  }
  // Tree heads came with the audit log; journals from before get the table
  // on first open (it changes nothing else).
  {
    Status status = journal->exec(
        "CREATE TABLE IF NOT EXISTS tree_heads (size INTEGER PRIMARY KEY, root BLOB NOT NULL, "
        "timestamp_ms INTEGER NOT NULL, signature BLOB NOT NULL)");
    if (!status.is_ok()) return status;
  }
  {
    Statement last(db, "SELECT coalesce(max(seq), 0) FROM journal");
    if (!last.ok() || sqlite3_step(last.get()) != SQLITE_ROW) {
      return journal->error("reading the journal");
    }
    journal->last_seq_ = static_cast<uint64_t>(sqlite3_column_int64(last.get(), 0));
  }
  // Fault injection for tests: ZG_FAULT_FAIL_COMMIT=N makes every commit
  // after the first N fail as a full disk would.
  if (const char* fault = std::getenv("ZG_FAULT_FAIL_COMMIT")) {
    journal->fail_commits_after_ = std::atoi(fault);
  }
  if (sqlite3_prepare_v2(db, "INSERT INTO journal (seq, entry, leaf) VALUES (?, ?, ?)", -1,
                         &journal->insert_, nullptr) != SQLITE_OK) {
    return journal->error("preparing the journal insert");
  }
  return journal;
}

SqliteJournal::~SqliteJournal() {
  // Its connection first: the writer's, the last to close, checkpoints
  // the whole WAL and removes it.
  shown_checkpointer_.store(nullptr);
  sqlite3_wal_hook(db_, nullptr, nullptr);
  checkpointer_.reset();
  sqlite3_finalize(insert_);
  sqlite3_close(db_);
}

JournalStore::Upkeep SqliteJournal::upkeep() const {
  Upkeep upkeep;
  if (const WalCheckpointer* checkpointer = shown_checkpointer_.load()) {
    upkeep.running = true;
    upkeep.checkpoints_by_thread = checkpointer->background_checkpoints();
    upkeep.checkpoints_by_writer = checkpointer->inline_checkpoints();
    upkeep.checkpoints_failed = checkpointer->failed_checkpoints();
  }
  return upkeep;
}

Status SqliteJournal::checkpoint_in_background(const WalCheckpointPolicy& policy) {
  if (checkpointer_ != nullptr) return Status::ok();
  const char* path = sqlite3_db_filename(db_, "main");
  Result<std::unique_ptr<WalCheckpointer>> started =
      WalCheckpointer::start(path != nullptr ? path : "", policy);
  if (!started.is_ok()) return started.status();
  checkpointer_ = std::move(started).value();
  shown_checkpointer_.store(checkpointer_.get());
  // Replaces the hook wal_autocheckpoint installed: SQLite checkpoints no
  // more by itself.
  sqlite3_wal_hook(
      db_,
      [](void* self, sqlite3* db, const char*, int frames) {
        static_cast<SqliteJournal*>(self)->checkpointer_->committed(db, frames);
        return SQLITE_OK;
      },
      this);
  return Status::ok();
}

Status SqliteJournal::append(std::span<const JournalEntry> batch) {
  if (batch.empty()) return Status::ok();
  if (fail_commits_after_ >= 0 && commits_++ >= fail_commits_after_) {
    return Status(
        ErrorCode::kIoError, "",
        "injected fault: commit " + std::to_string(commits_) + " fails (ZG_FAULT_FAIL_COMMIT)");
  }
  Status status = exec("BEGIN IMMEDIATE");
  if (!status.is_ok()) return status;
  uint64_t expected = last_seq_ + 1;
  for (const JournalEntry& entry : batch) {
    if (entry.seq != expected++) {
      rollback();
      return Status(ErrorCode::kCorruption, "",
                    "journal append out of order: seq " + std::to_string(entry.seq) + " after " +
                        std::to_string(expected - 2));
    }
    sqlite3_bind_int64(insert_, 1, static_cast<sqlite3_int64>(entry.seq));
    sqlite3_bind_text(insert_, 2, entry.entry.data(), static_cast<int>(entry.entry.size()),
                      SQLITE_STATIC);
    sqlite3_bind_blob(insert_, 3, entry.leaf_hash.data(), static_cast<int>(entry.leaf_hash.size()),
                      SQLITE_STATIC);
    const int rc = sqlite3_step(insert_);
    sqlite3_reset(insert_);
    if (rc != SQLITE_DONE) {
      Status failed = error("appending seq " + std::to_string(entry.seq));
      rollback();
      return failed;
    }
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    Status failed = error("committing seq " + std::to_string(batch.front().seq) + "-" +
                          std::to_string(batch.back().seq));
    rollback();
    return failed;
  }
  last_seq_ = batch.back().seq;
  return Status::ok();
}

Status SqliteJournal::read(uint64_t from_seq,
                           const std::function<Status(const JournalEntry&)>& visit) const {
  Statement select(db_, "SELECT seq, entry, leaf FROM journal WHERE seq >= ? ORDER BY seq");
  if (!select.ok()) return error("reading the journal");
  sqlite3_bind_int64(select.get(), 1, static_cast<sqlite3_int64>(from_seq));
  JournalEntry entry;
  for (;;) {
    const int rc = sqlite3_step(select.get());
    if (rc == SQLITE_DONE) return Status::ok();
    if (rc != SQLITE_ROW) return error("reading the journal");
    entry.seq = static_cast<uint64_t>(sqlite3_column_int64(select.get(), 0));
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(select.get(), 1));
    entry.entry.assign(text != nullptr ? text : "",
                       static_cast<size_t>(sqlite3_column_bytes(select.get(), 1)));
    entry.leaf_hash.fill(0);
    const void* leaf = sqlite3_column_blob(select.get(), 2);
    const int leaf_bytes = sqlite3_column_bytes(select.get(), 2);
    if (leaf != nullptr && leaf_bytes == static_cast<int>(entry.leaf_hash.size())) {
      std::memcpy(entry.leaf_hash.data(), leaf, entry.leaf_hash.size());
    }
    Status status = visit(entry);
    if (!status.is_ok()) return status;
  }
}

namespace {

// A BLOB column into a fixed-size array; false when its size differs.
template <size_t N>
bool blob(sqlite3_stmt* statement, int column, std::array<unsigned char, N>& out) {
  const void* data = sqlite3_column_blob(statement, column);
  if (data == nullptr || sqlite3_column_bytes(statement, column) != static_cast<int>(N)) {
    out.fill(0);
    return false;
  }
  std::memcpy(out.data(), data, N);
  return true;
}

}  // namespace

Status SqliteJournal::read_leaves(
    uint64_t from_seq, const std::function<Status(uint64_t, const Digest&)>& visit) const {
  Statement select(db_, "SELECT seq, leaf FROM journal WHERE seq >= ? ORDER BY seq");
  if (!select.ok()) return error("reading the journal");
  sqlite3_bind_int64(select.get(), 1, static_cast<sqlite3_int64>(from_seq));
  Digest leaf{};
  for (;;) {
    const int rc = sqlite3_step(select.get());
    if (rc == SQLITE_DONE) return Status::ok();
    if (rc != SQLITE_ROW) return error("reading the journal");
    blob(select.get(), 1, leaf);  // a damaged length reads as zeros, which no proof matches
    Status status = visit(static_cast<uint64_t>(sqlite3_column_int64(select.get(), 0)), leaf);
    if (!status.is_ok()) return status;
  }
}

Status SqliteJournal::append_tree_head(const StoredTreeHead& head) {
  Statement insert(db_,
                   "INSERT OR IGNORE INTO tree_heads (size, root, timestamp_ms, signature) "
                   "VALUES (?, ?, ?, ?)");
  if (!insert.ok()) return error("writing a tree head");
  sqlite3_bind_int64(insert.get(), 1, static_cast<sqlite3_int64>(head.size));
  sqlite3_bind_blob(insert.get(), 2, head.root.data(), 32, SQLITE_STATIC);
  sqlite3_bind_int64(insert.get(), 3, head.timestamp_ms);
  sqlite3_bind_blob(insert.get(), 4, head.signature.data(), 64, SQLITE_STATIC);
  if (sqlite3_step(insert.get()) != SQLITE_DONE) return error("writing a tree head");
  return Status::ok();
}

Status SqliteJournal::read_tree_heads(
    const std::function<Status(const StoredTreeHead&)>& visit) const {
  Statement select(db_, "SELECT size, root, timestamp_ms, signature FROM tree_heads ORDER BY size");
  if (!select.ok()) return error("reading the tree heads");
  for (;;) {
    const int rc = sqlite3_step(select.get());
    if (rc == SQLITE_DONE) return Status::ok();
    if (rc != SQLITE_ROW) return error("reading the tree heads");
    StoredTreeHead head;
    head.size = static_cast<uint64_t>(sqlite3_column_int64(select.get(), 0));
    blob(select.get(), 1, head.root);
    head.timestamp_ms = sqlite3_column_int64(select.get(), 2);
    blob(select.get(), 3, head.signature);
    Status status = visit(head);
    if (!status.is_ok()) return status;
  }
}

Status SqliteJournal::put_meta(std::string_view key, std::string_view value) {
  Statement upsert(db_,
                   "INSERT INTO meta (key, value) VALUES (?, ?) "
                   "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  if (!upsert.ok()) return error("writing meta");
  sqlite3_bind_text(upsert.get(), 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
  sqlite3_bind_text(upsert.get(), 2, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
  if (sqlite3_step(upsert.get()) != SQLITE_DONE) return error("writing meta");
  return Status::ok();
}

Result<std::string> SqliteJournal::get_meta(std::string_view key) const {
  Statement select(db_, "SELECT value FROM meta WHERE key = ?");
  if (!select.ok()) return Result<std::string>(error("reading meta"));
  sqlite3_bind_text(select.get(), 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
  const int rc = sqlite3_step(select.get());
  if (rc == SQLITE_DONE) return std::string();
  if (rc != SQLITE_ROW) return Result<std::string>(error("reading meta"));
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(select.get(), 0));
  return std::string(text != nullptr ? text : "");
}

}  // namespace zg
