// The journal in an SQLite database: WAL mode with synchronous=FULL, so a
// commit is on disk before append() returns. One connection, one writer.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "store/journal_store.h"
#include "store/sqlite/wal_checkpointer.h"

struct sqlite3;
struct sqlite3_stmt;

namespace zg {

class SqliteJournal final : public JournalStore {
 public:
  // Opens (creating when absent and `create`) the database at `path`. A file
  // that is not a Zonegate journal, or one of a newer format, is refused
  // without being changed.
  // `busy_timeout_ms`: how long a statement waits for another connection's
  // lock before it fails (kBusyTimeoutMs for the zone's own connection).
  static Result<std::unique_ptr<SqliteJournal>> open(const std::string& path, bool create,
                                                     int busy_timeout_ms = kBusyTimeoutMs);
  ~SqliteJournal() override;

  Status append(std::span<const JournalEntry> batch) override;
  uint64_t last_seq() const override { return last_seq_; }
  Status read(uint64_t from_seq,
              const std::function<Status(const JournalEntry&)>& visit) const override;
  Status read_leaves(uint64_t from_seq,
                     const std::function<Status(uint64_t, const Digest&)>& visit) const override;
  Status append_tree_head(const StoredTreeHead& head) override;
  Status read_tree_heads(const std::function<Status(const StoredTreeHead&)>& visit) const override;
  Status put_meta(std::string_view key, std::string_view value) override;
  Result<std::string> get_meta(std::string_view key) const override;
  // WAL checkpoints from now on by a thread of their own (wal_checkpointer.h)
  // instead of inside the commit that passes SQLite's mark. On an error
  // (no second connection, no thread) SQLite's own checkpoints stay.
  Status checkpoint_in_background() override { return checkpoint_in_background({}); }
  Status checkpoint_in_background(const WalCheckpointPolicy& policy);
  Upkeep upkeep() const override;
  // The background checkpoints' figures; null while there are none.
  const WalCheckpointer* checkpointer() const { return checkpointer_.get(); }

  static constexpr int kFormatVersion = 1;
  // How long a statement waits for another connection's lock: another
  // process writing (a tree head or meta from the command line), the
  // checkpoint of a last connection closing, or WAL recovery can hold one
  // for a moment, and a commit that fails stops the zone.
  static constexpr int kBusyTimeoutMs = 5'000;

 private:
  explicit SqliteJournal(sqlite3* db) : db_(db) {}
  Status exec(const char* sql);
  void rollback();
  Status error(const std::string& what) const;
  sqlite3* db_;
  sqlite3_stmt* insert_ = nullptr;
  uint64_t last_seq_ = 0;
  std::unique_ptr<WalCheckpointer> checkpointer_;
  // The same, for upkeep() on other threads (set once, before it counts).
  std::atomic<const WalCheckpointer*> shown_checkpointer_{nullptr};
  int fail_commits_after_ = -1;  // a test's injected fault; -1: none
  int commits_ = 0;
};

}  // namespace zg
