// The journal in PostgreSQL: one schema per shard (a zone), holding
//
//   journal    (seq bigint PRIMARY KEY, entry text, leaf bytea)
//   tree_heads (size bigint PRIMARY KEY, root bytea, timestamp_ms bigint, signature bytea)
//   meta       (key text PRIMARY KEY, value text)
//   lease      (one row: holder, address, epoch, expires_at: shard_lease.h)
//   nodes      (node text PRIMARY KEY, role, epoch, applied_seq, seen_at)
//   snapshots  (seq bigint PRIMARY KEY, object oid: a large object, bytes)
//   views      commands, declarations, declaration_items (for analysts)
//
// Every append checks the lease in its own transaction (row locked FOR
// SHARE until the commit), so a writer whose lease another node has taken
// cannot add a row: fencing by epoch. A connection lost mid-append (the
// server restarting) is waited out for reconnect_retry_ms and the batch
// tried again, after checking whether the cut-off commit landed.
//
// A batch goes in with COPY in one transaction, committed with
// synchronous_commit=on (the WAL flushed) before append() returns. Reads
// page through the journal in sequence order, a page per query, so a
// year's journal is never in memory at once.
//
// libpqxx stays inside postgres_journal.cc: this header names none of it.
// Thread-safe: one connection behind a mutex. The server's committer thread
// appends while its zone thread may read a row for a snapshot; a read's
// `visit` runs outside the lock, so it may call back into the store.
#pragma once

#include <memory>
#include <string>

#include "store/journal_store.h"

namespace zg {

struct PostgresOptions {
  std::string url;                  // for libpq, password and all
  std::string shard = "zone";       // the schema (store/store_spec.h checks the name)
  std::string shown;                // the URL in messages: no password
  int connect_retry_ms = 5'000;     // how long an unreachable server is retried at open
  int reconnect_retry_ms = 30'000;  // how long an append waits out a lost connection
  size_t read_page_rows = 2'000;    // rows per query of read() and read_leaves()
};

class PostgresJournal final : public JournalStore {
 public:
  // Connects (retrying with backoff for connect_retry_ms while the server
  // cannot be reached: a kUnavailable error naming the URL after that) and
  // opens the shard's tables, creating them when absent and `create`. A
  // schema holding other tables, or a journal of a newer format, is refused
  // without being changed.
  static Result<std::unique_ptr<PostgresJournal>> open(const PostgresOptions& options, bool create);
  ~PostgresJournal() override;

  Status append(std::span<const JournalEntry> batch) override;
  uint64_t last_seq() const override;
  Status read(uint64_t from_seq,
              const std::function<Status(const JournalEntry&)>& visit) const override;
  Status read_leaves(uint64_t from_seq,
                     const std::function<Status(uint64_t, const Digest&)>& visit) const override;
  Status append_tree_head(const StoredTreeHead& head) override;
  Status read_tree_heads(const std::function<Status(const StoredTreeHead&)>& visit) const override;
  Status put_meta(std::string_view key, std::string_view value) override;
  Result<std::string> get_meta(std::string_view key) const override;
  // Checks the lease (store/postgres/shard_lease.h) in every append from now on.
  Status become_writer(uint64_t epoch) override;
  // Snapshots as large objects (the `snapshots` table names them), the two
  // newest kept; each transfer on a connection of its own, so the journal's
  // appends never wait behind a gigabyte.
  Status keep_snapshot(uint64_t seq, const std::string& file) override;
  Result<uint64_t> newest_kept_snapshot() const override;
  Status fetch_snapshot(uint64_t seq, const std::string& file) const override;

  // Drops the shard's schema and everything in it (tests clean up with it).
  static Status drop_shard(const PostgresOptions& options);

  static constexpr int kFormatVersion = 1;

 private:
  struct Impl;
  explicit PostgresJournal(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace zg
