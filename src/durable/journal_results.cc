#include "durable/journal_results.h"

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>

#include "engine/journal_entry.h"
#include "store/postgres/postgres_journal.h"
#include "store/sqlite/sqlite_journal.h"

namespace zg {
namespace {

constexpr int kReaderBusyTimeoutMs = 100;

struct Connection {
  std::mutex mutex;
  std::string dir;
  StoreSpec spec;
  std::unique_ptr<JournalStore> journal;  // opened at the first read

  Status open() {
    if (spec.kind == StoreSpec::Kind::kSqlite) {
      // Read on the zone's thread: a lock held elsewhere is waited for
      // briefly, then the repeat is answered `unavailable` (sent again later).
      Result<std::unique_ptr<SqliteJournal>> opened =
          SqliteJournal::open((std::filesystem::path(dir) / "journal.db").string(),
                              /*create=*/false, kReaderBusyTimeoutMs);
      if (!opened.is_ok()) return opened.status();
      journal = std::move(opened).value();
      return Status::ok();
    }
    PostgresOptions options;
    options.url = spec.url;
    options.shard = spec.shard;
    options.shown = spec.recorded;
    options.read_page_rows = 1;  // one row is asked for
    // The engine's thread waits on this: one attempt to connect (an outage
    // answers the repeat unavailable at once; the next repeat tries again),
    // and a lost connection is not waited out.
    options.connect_retry_ms = 0;
    options.reconnect_retry_ms = 0;
    Result<std::unique_ptr<PostgresJournal>> opened = PostgresJournal::open(options, false);
    if (!opened.is_ok()) return opened.status();
    journal = std::move(opened).value();
    return Status::ok();
  }

  Result<std::string> result_at(uint64_t seq) {
    std::lock_guard lock(mutex);
    if (journal == nullptr) {
      if (Status opened = open(); !opened.is_ok()) return opened;
    }
    std::optional<std::string> result;
    Status problem;
    bool stopped = false;
    Status read = journal->read(seq, [&](const JournalEntry& row) -> Status {
      stopped = true;
      if (row.seq == seq) {
        Result<JournalRecordView> record = check_journal_entry_in_place(row);
        if (record.is_ok()) {
          result.emplace(record->result);
        } else {
          problem = record.status();
        }
      }
      return Status(ErrorCode::kIoError, "", "stop");  // one row is enough: end the read
    });
    if (result) return std::move(*result);
    if (!problem.is_ok()) return problem;
    if (!stopped && !read.is_ok()) return read;  // the read's own error
    return Status(ErrorCode::kCorruption, "",
                  "the journal has no row " + std::to_string(seq) + " to read its result from");
  }
};

}  // namespace

ResultReader journal_result_reader(std::string dir, StoreSpec spec) {
  auto connection = std::make_shared<Connection>();
  connection->dir = std::move(dir);
  connection->spec = std::move(spec);
  return [connection](uint64_t seq) { return connection->result_at(seq); };
}

}  // namespace zg
