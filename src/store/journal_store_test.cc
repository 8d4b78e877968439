// The journal store's contract, one suite run against both backends:
// SQLite always, PostgreSQL at ZG_TEST_POSTGRES_URL (skipped without it,
// failed without it when ZG_REQUIRE_POSTGRES=1, as in CI). Then what only
// one backend has: PostgreSQL's server-side refusals, second writers,
// shards, leases and fencing, lost connections; SQLite's files.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "core/temp_dir.h"
#include "engine/journal_entry.h"
#include "store/postgres/postgres_journal.h"
#include "store/postgres/shard_lease.h"
#include "store/sqlite/sqlite_journal.h"
#include "store/store_spec.h"

namespace zg {
namespace {

namespace fs = std::filesystem;

JournalEntry entry(uint64_t seq) {
  return make_journal_entry(seq, R"({"id":"c)" + std::to_string(seq) + R"(","type":"x"})",
                            R"({"status":"accepted","id":"c)" + std::to_string(seq) + R"("})",
                            "abc");
}

std::vector<JournalEntry> read_all(const JournalStore& journal) {
  std::vector<JournalEntry> rows;
  Status status = journal.read(1, [&](const JournalEntry& row) {
    rows.push_back(row);
    return Status::ok();
  });
  EXPECT_TRUE(status.is_ok());
  return rows;
}

// ---- The backends -----------------------------------------------------------

// Where the PostgreSQL cases connect: ZG_TEST_POSTGRES_URL, e.g.
// postgresql://postgres@127.0.0.1:55432/postgres (.ci/run exports it). Each
// case gets a shard of its own, dropped at its end.
std::string postgres_url() {
  const char* url = std::getenv("ZG_TEST_POSTGRES_URL");
  return url != nullptr ? url : "";
}

// CI sets ZG_REQUIRE_POSTGRES=1: there a missing server fails the cases
// rather than skipping them, so the suite cannot pass without running.
bool postgres_required() {
  const char* required = std::getenv("ZG_REQUIRE_POSTGRES");
  return required != nullptr && std::string(required) == "1";
}

// Runs one SQL statement with psql; its exit code.
int psql(const std::string& url, const std::string& sql) {
  return std::system(("psql -q -X '" + url + "' -c \"" + sql + "\" >/dev/null 2>&1").c_str());
}

class Backend {
 public:
  virtual ~Backend() = default;
  // Why the backend cannot run here ("" when it can).
  virtual std::string unavailable() { return ""; }
  virtual Result<std::unique_ptr<JournalStore>> open(bool create) = 0;
};

class SqliteBackend final : public Backend {
 public:
  Result<std::unique_ptr<JournalStore>> open(bool create) override {
    auto opened = SqliteJournal::open(dir_.file("j.db"), create);
    if (!opened.is_ok()) return opened.status();
    return std::unique_ptr<JournalStore>(std::move(opened).value());
  }

 private:
  TempDir dir_{"zg-journal-test"};
};

class PostgresBackend final : public Backend {
 public:
  // Small pages, so a few hundred rows cross several page boundaries.
  static constexpr size_t kPageRows = 7;

  PostgresBackend() {
    static int counter = 0;
    options_.url = postgres_url();
    options_.shown = redact_password(options_.url);
    options_.shard = "test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    options_.connect_retry_ms = 2'000;
    options_.read_page_rows = kPageRows;
  }
  ~PostgresBackend() override {
    if (opened_) (void)PostgresJournal::drop_shard(options_);
  }
  std::string unavailable() override {
    if (options_.url.empty()) return "ZG_TEST_POSTGRES_URL is not set";
    // One connection decides for the whole run: a missing server is not
    // waited for once per case.
    static const std::string why = [this] {
      PostgresOptions probe = options_;
      Status dropped = PostgresJournal::drop_shard(probe);
      return dropped.is_ok() ? std::string() : dropped.first().message;
    }();
    return why;
  }
  Result<std::unique_ptr<JournalStore>> open(bool create) override {
    opened_ = true;
    auto opened = PostgresJournal::open(options_, create);
    if (!opened.is_ok()) return opened.status();
    return std::unique_ptr<JournalStore>(std::move(opened).value());
  }
  const PostgresOptions& options() const { return options_; }

 private:
  PostgresOptions options_;
  bool opened_ = false;
};

std::unique_ptr<Backend> make_backend(const std::string& name) {
  if (name == "postgresql") return std::make_unique<PostgresBackend>();
  return std::make_unique<SqliteBackend>();
}

// Skips (locally) or fails (ZG_REQUIRE_POSTGRES=1) when the backend cannot run.
#define ZG_NEED_BACKEND(backend, name)                                                    \
  do {                                                                                    \
    const std::string why = (backend).unavailable();                                      \
    if (!why.empty()) {                                                                   \
      if (postgres_required()) FAIL() << (name) << " is required here but: " << why;      \
      GTEST_SKIP() << (name) << " not available: " << why                                 \
                   << " (set ZG_TEST_POSTGRES_URL; ZG_REQUIRE_POSTGRES=1 fails instead)"; \
    }                                                                                     \
  } while (false)

class JournalStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = make_backend(GetParam());
    ZG_NEED_BACKEND(*backend_, GetParam());
  }
  std::unique_ptr<JournalStore> open(bool create = true) {
    auto opened = backend_->open(create);
    EXPECT_TRUE(opened.is_ok()) << opened.status().first().message;
    return opened.is_ok() ? std::move(opened).value() : nullptr;
  }
  std::unique_ptr<Backend> backend_;
};

INSTANTIATE_TEST_SUITE_P(Stores, JournalStoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

std::vector<JournalEntry> entries(uint64_t first, uint64_t last) {
  std::vector<JournalEntry> batch;
  for (uint64_t seq = first; seq <= last; ++seq) batch.push_back(entry(seq));
  return batch;
}

// ---- The contract, for both -------------------------------------------------

TEST_P(JournalStoreTest, AppendsInOrderAndReadsBackAfterReopening) {
  {
    auto journal = open();
    ASSERT_NE(journal, nullptr);
    ASSERT_TRUE(journal->append(entries(1, 3)).is_ok());
    EXPECT_EQ(journal->last_seq(), 3u);
  }
  auto reopened = open(false);
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->last_seq(), 3u);
  const std::vector<JournalEntry> rows = read_all(*reopened);
  ASSERT_EQ(rows.size(), 3u);
  for (const JournalEntry& row : rows) {
    Result<JournalRecord> record = check_journal_entry(row);
    ASSERT_TRUE(record.is_ok()) << record.status().first().message;
    EXPECT_EQ(record->pack, "abc");
  }
  EXPECT_EQ(rows[1].entry, entry(2).entry);
  // And the next batch follows on.
  ASSERT_TRUE(reopened->append(entries(4, 5)).is_ok());
  EXPECT_EQ(read_all(*reopened).size(), 5u);
}

TEST_P(JournalStoreTest, OpeningWithoutCreateRefusesAMissingJournal) {
  auto missing = backend_->open(false);
  EXPECT_FALSE(missing.is_ok());
}

TEST_P(JournalStoreTest, RefusesAGapOrARepeatAndKeepsNothingOfTheBatch) {
  auto journal = open();
  ASSERT_NE(journal, nullptr);
  std::vector<JournalEntry> gap = {entry(1), entry(3)};
  Status status = journal->append(gap);
  ASSERT_FALSE(status.is_ok());
  EXPECT_EQ(status.first().code, ErrorCode::kCorruption);
  EXPECT_EQ(journal->last_seq(), 0u);
  EXPECT_TRUE(read_all(*journal).empty());
  ASSERT_TRUE(journal->append(entries(1, 2)).is_ok());
  for (const auto& wrong : {entries(2, 3), entries(4, 4), entries(1, 1)}) {
    Status refused = journal->append(wrong);
    ASSERT_FALSE(refused.is_ok());
    EXPECT_EQ(refused.first().code, ErrorCode::kCorruption);
  }
  EXPECT_EQ(journal->last_seq(), 2u);
  EXPECT_EQ(read_all(*journal).size(), 2u);
}

TEST_P(JournalStoreTest, RefusesANewerFormat) {
  {
    auto journal = open();
    ASSERT_NE(journal, nullptr);
    ASSERT_TRUE(journal->put_meta("format", "99").is_ok());
  }
  auto newer = backend_->open(false);
  ASSERT_FALSE(newer.is_ok());
  EXPECT_EQ(newer.status().first().code, ErrorCode::kUnsupportedFormat);
  EXPECT_NE(newer.status().first().message.find("format 99"), std::string::npos);
}

TEST_P(JournalStoreTest, ReadsFromAnySequenceInOrderAndStopsWhenTold) {
  auto journal = open();
  ASSERT_NE(journal, nullptr);
  // Batches of several sizes: 300 rows, across PostgreSQL's small test pages.
  uint64_t next = 1;
  for (uint64_t size : {1, 2, 7, 13, 50, 227}) {
    ASSERT_TRUE(journal->append(entries(next, next + size - 1)).is_ok());
    next += size;
  }
  ASSERT_EQ(journal->last_seq(), 300u);
  for (uint64_t from : {1, 7, 8, 150, 300, 301}) {
    SCOPED_TRACE(from);
    uint64_t expected = from;
    Status read = journal->read(from, [&](const JournalEntry& row) {
      EXPECT_EQ(row.seq, expected);
      EXPECT_TRUE(check_journal_entry(row).is_ok());
      ++expected;
      return Status::ok();
    });
    ASSERT_TRUE(read.is_ok());
    EXPECT_EQ(expected, 301u);
    uint64_t leaves = from;
    Status read_leaves = journal->read_leaves(from, [&](uint64_t seq, const Digest& leaf) {
      EXPECT_EQ(seq, leaves);
      EXPECT_EQ(leaf, entry(seq).leaf_hash);
      ++leaves;
      return Status::ok();
    });
    ASSERT_TRUE(read_leaves.is_ok());
    EXPECT_EQ(leaves, 301u);
  }
  // A visitor's error ends the read at once and is what read returns.
  int visited = 0;
  Status stopped = journal->read(10, [&](const JournalEntry&) {
    return ++visited == 3 ? Status(ErrorCode::kIoError, "", "enough") : Status::ok();
  });
  EXPECT_EQ(visited, 3);
  ASSERT_FALSE(stopped.is_ok());
  EXPECT_EQ(stopped.first().message, "enough");
}

TEST_P(JournalStoreTest, AVisitorMayUseTheStoreWhileReading) {
  auto journal = open();
  ASSERT_NE(journal, nullptr);
  ASSERT_TRUE(journal->append(entries(1, 20)).is_ok());
  // The server's zone thread reads while the committer appends; here the
  // same thread does both, which a lock held across `visit` would deadlock.
  uint64_t next = 21;
  Status read = journal->read(1, [&](const JournalEntry& row) {
    if (row.seq % 5 == 0) {
      std::vector<JournalEntry> one = {entry(next++)};
      return journal->append(one);
    }
    return journal->put_meta("seen", std::to_string(row.seq));
  });
  ASSERT_TRUE(read.is_ok()) << read.first().message;
  EXPECT_GE(journal->last_seq(), 24u);
  EXPECT_FALSE(journal->get_meta("seen")->empty());
}

TEST_P(JournalStoreTest, KeepsEntriesByteForByte) {
  auto journal = open();
  ASSERT_NE(journal, nullptr);
  // What COPY's text format escapes (backslash, tab, newline, carriage
  // return), quotes, and text beyond ASCII.
  std::vector<JournalEntry> batch = {
      make_journal_entry(1, R"({"id":"a\\b\"c\td\n","type":"x"})", R"({"status":"accepted"})",
                         "abc"),
      make_journal_entry(2, "{\"id\":\"\xe6\xa8\xaa\xe7\x90\xb4 \\u0000\",\"type\":\"x\"}",
                         R"({"status":"accepted"})", "abc"),
  };
  JournalEntry raw;  // the store keeps rows as given; checking them is the caller's
  raw.seq = 3;
  raw.entry = "tab\there\nnew line\r\\N \\. end";
  raw.leaf_hash = leaf_hash(raw.entry);
  batch.push_back(raw);
  ASSERT_TRUE(journal->append(batch).is_ok());
  const std::vector<JournalEntry> rows = read_all(*journal);
  ASSERT_EQ(rows.size(), 3u);
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].seq, batch[i].seq);
    EXPECT_EQ(rows[i].entry, batch[i].entry);
    EXPECT_EQ(rows[i].leaf_hash, batch[i].leaf_hash);
  }
}

TEST_P(JournalStoreTest, KeepsTreeHeadsInSizeOrderAndMeta) {
  auto journal = open();
  ASSERT_NE(journal, nullptr);
  auto head = [](uint64_t size) {
    StoredTreeHead h;
    h.size = size;
    for (size_t i = 0; i < h.root.size(); ++i) h.root[i] = static_cast<unsigned char>(size + i);
    for (size_t i = 0; i < h.signature.size(); ++i) {
      h.signature[i] = static_cast<unsigned char>(255 - i - size);
    }
    h.timestamp_ms = 1'714'960'800'000 + static_cast<int64_t>(size);
    return h;
  };
  ASSERT_TRUE(journal->append_tree_head(head(20)).is_ok());
  ASSERT_TRUE(journal->append_tree_head(head(5)).is_ok());
  StoredTreeHead again = head(20);  // a second head of a size is ignored, not an error
  again.timestamp_ms = 1;
  ASSERT_TRUE(journal->append_tree_head(again).is_ok());
  std::vector<StoredTreeHead> heads;
  ASSERT_TRUE(journal
                  ->read_tree_heads([&](const StoredTreeHead& h) {
                    heads.push_back(h);
                    return Status::ok();
                  })
                  .is_ok());
  ASSERT_EQ(heads.size(), 2u);
  for (const auto& [got, size] : {std::pair{heads[0], 5}, std::pair{heads[1], 20}}) {
    const StoredTreeHead want = head(static_cast<uint64_t>(size));
    EXPECT_EQ(got.size, want.size);
    EXPECT_EQ(got.root, want.root);
    EXPECT_EQ(got.signature, want.signature);
    EXPECT_EQ(got.timestamp_ms, want.timestamp_ms);
  }
  EXPECT_EQ(*journal->get_meta("last_pack"), "");
  ASSERT_TRUE(journal->put_meta("last_pack", "ff00").is_ok());
  ASSERT_TRUE(journal->put_meta("last_pack", "ee11").is_ok());
  EXPECT_EQ(*journal->get_meta("last_pack"), "ee11");
}

TEST_P(JournalStoreTest, AFailedCommitKeepsNothingOfItsBatch) {
  // ZG_FAULT_FAIL_COMMIT=N: the commits after the first N fail (as the
  // durable end-to-end test injects it).
  setenv("ZG_FAULT_FAIL_COMMIT", "1", 1);
  auto journal = open();
  unsetenv("ZG_FAULT_FAIL_COMMIT");
  ASSERT_NE(journal, nullptr);
  ASSERT_TRUE(journal->append(entries(1, 2)).is_ok());
  EXPECT_FALSE(journal->append(entries(3, 4)).is_ok());
  EXPECT_EQ(journal->last_seq(), 2u);
  EXPECT_EQ(read_all(*journal).size(), 2u);
}

// ---- PostgreSQL only --------------------------------------------------------

TEST(PostgresJournal, ARowTheServerRefusesRollsBackTheWholeBatch) {
  PostgresBackend backend;
  ZG_NEED_BACKEND(backend, "postgresql");
  auto opened = backend.open(true);
  ASSERT_TRUE(opened.is_ok()) << opened.status().first().message;
  JournalStore& journal = **opened;
  ASSERT_TRUE(journal.append(entries(1, 1)).is_ok());
  // PostgreSQL's text takes UTF-8 only: the third row fails inside COPY,
  // after the first two were sent.
  std::vector<JournalEntry> batch = entries(2, 4);
  batch[2].entry = "not UTF-8: \xff\xfe";
  Status status = journal.append(batch);
  ASSERT_FALSE(status.is_ok());
  EXPECT_EQ(status.first().code, ErrorCode::kIoError);
  EXPECT_EQ(journal.last_seq(), 1u);
  EXPECT_EQ(read_all(journal).size(), 1u);
  // The connection is usable again, and the sequence goes on from 1.
  ASSERT_TRUE(journal.append(entries(2, 4)).is_ok()) << status.first().message;
  EXPECT_EQ(read_all(journal).size(), 4u);
}

TEST(PostgresJournal, ASecondWriterOnTheShardIsRefused) {
  PostgresBackend backend;
  ZG_NEED_BACKEND(backend, "postgresql");
  auto first = backend.open(true);
  auto second = backend.open(false);
  ASSERT_TRUE(first.is_ok() && second.is_ok());
  ASSERT_TRUE((*first)->append(entries(1, 3)).is_ok());
  Status stale = (*second)->append(entries(1, 2));  // it last saw an empty journal
  ASSERT_FALSE(stale.is_ok());
  EXPECT_EQ(stale.first().code, ErrorCode::kCorruption);
  EXPECT_NE(stale.first().message.find("another writer"), std::string::npos)
      << stale.first().message;
  EXPECT_EQ(read_all(**first).size(), 3u);
  EXPECT_EQ(read_all(**first)[0].entry, entry(1).entry);
}

TEST(PostgresJournal, ShardsOfOneDatabaseAreSeparate) {
  PostgresBackend one;
  ZG_NEED_BACKEND(one, "postgresql");
  PostgresBackend two;
  auto a = one.open(true);
  auto b = two.open(true);
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  ASSERT_TRUE((*a)->append(entries(1, 5)).is_ok());
  ASSERT_TRUE((*b)->append(entries(1, 2)).is_ok());
  EXPECT_EQ(read_all(**a).size(), 5u);
  EXPECT_EQ(read_all(**b).size(), 2u);
}

// Commands carry Chinese text: a database that could not hold it is
// refused at the start, not at the first append that needs it.
TEST(PostgresJournal, ADatabaseNotEncodedInUtf8IsRefusedAtTheStart) {
  PostgresBackend backend;
  ZG_NEED_BACKEND(backend, "postgresql");
  const std::string url = backend.options().url;
  const std::string name = "zg_latin1_" + std::to_string(getpid());
  ASSERT_EQ(psql(url, "CREATE DATABASE " + name +
                          " ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"),
            0);
  PostgresOptions options = backend.options();
  options.url = url.substr(0, url.rfind('/') + 1) + name;
  options.shown = redact_password(options.url);
  auto opened = PostgresJournal::open(options, true);
  psql(url, "DROP DATABASE " + name);
  ASSERT_FALSE(opened.is_ok());
  EXPECT_EQ(opened.status().first().code, ErrorCode::kUsage);
  EXPECT_NE(opened.status().first().message.find("LATIN1, not UTF8"), std::string::npos)
      << opened.status().first().message;
}

// Needs no server: nothing listens on port 1.
TEST(PostgresJournal, AnUnreachableServerIsRetriedThenNamedWithoutItsPassword) {
  PostgresOptions options;
  options.url = "postgresql://zonegate:s3cret@127.0.0.1:1/zone";
  options.shown = redact_password(options.url);
  options.connect_retry_ms = 400;
  const auto started = std::chrono::steady_clock::now();
  auto opened = PostgresJournal::open(options, true);
  const auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(opened.is_ok());
  const Error& error = opened.status().first();
  EXPECT_EQ(error.code, ErrorCode::kUnavailable);
  EXPECT_NE(error.message.find("postgresql://zonegate@127.0.0.1:1/zone"), std::string::npos)
      << error.message;
  EXPECT_EQ(error.message.find("s3cret"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("attempts"), std::string::npos) << error.message;
  EXPECT_GE(waited, std::chrono::milliseconds(300));  // retried with backoff, not given up at once
  EXPECT_LT(waited, std::chrono::milliseconds(3'000));
}

// A lease for a test node on the backend's shard.
std::unique_ptr<ShardLease> lease_for(const PostgresBackend& backend, const std::string& node,
                                      int ttl_ms) {
  auto lease = ShardLease::open(backend.options(), node, "http://" + node + ":8080", ttl_ms);
  EXPECT_TRUE(lease.is_ok()) << lease.status().first().message;
  return lease.is_ok() ? std::move(lease).value() : nullptr;
}

// The failover story in one process: a owns the shard, stops renewing
// (paused), b takes the lease after it expires, and a's next append is
// refused by the epoch check, while b's goes on from a's last row.
TEST(ShardLease, ADeposedWriterIsFencedByTheEpoch) {
  PostgresBackend backend;
  ZG_NEED_BACKEND(backend, "postgresql");
  auto a_journal = backend.open(true);
  auto b_journal = backend.open(false);
  ASSERT_TRUE(a_journal.is_ok() && b_journal.is_ok());
  auto a = lease_for(backend, "a", 300);
  auto b = lease_for(backend, "b", 300);
  ASSERT_TRUE(a && b);
  Result<uint64_t> a_epoch = a->try_acquire();
  ASSERT_TRUE(a_epoch.is_ok());
  EXPECT_EQ(*a_epoch, 1u);
  EXPECT_EQ(*b->try_acquire(), 0u);  // held and live
  ASSERT_TRUE((*a_journal)->become_writer(*a_epoch).is_ok());
  ASSERT_TRUE((*a_journal)->append(entries(1, 3)).is_ok());

  std::this_thread::sleep_for(std::chrono::milliseconds(450));  // a misses its renewals
  Result<uint64_t> b_epoch = b->try_acquire();
  ASSERT_TRUE(b_epoch.is_ok());
  EXPECT_EQ(*b_epoch, 2u);
  Status late = (*a_journal)->append(entries(4, 4));
  ASSERT_FALSE(late.is_ok());
  EXPECT_EQ(late.first().code, ErrorCode::kFenced);
  EXPECT_NE(late.first().message.find("epoch 2 (node b), this writer held epoch 1"),
            std::string::npos)
      << late.first().message;
  EXPECT_FALSE(*a->renew(*a_epoch));  // and its renewal says it is deposed

  ASSERT_TRUE((*b_journal)->become_writer(*b_epoch).is_ok());
  EXPECT_EQ((*b_journal)->last_seq(), 3u);  // follows a's rows
  ASSERT_TRUE((*b_journal)->append(entries(4, 5)).is_ok());
  EXPECT_TRUE(*b->renew(*b_epoch));
  EXPECT_EQ(read_all(**b_journal).size(), 5u);
}

TEST(ShardLease, AnUnleasedWriterWaitsForNoNodeToHoldTheShard) {
  PostgresBackend backend;
  ZG_NEED_BACKEND(backend, "postgresql");
  auto journal = backend.open(true);
  ASSERT_TRUE(journal.is_ok());
  auto node = lease_for(backend, "a", 60'000);
  ASSERT_TRUE(node);
  Result<uint64_t> acquired = node->try_acquire();
  ASSERT_TRUE(acquired.is_ok()) << acquired.status().first().message;
  const uint64_t epoch = *acquired;
  ASSERT_EQ(epoch, 1u);
  Status refused = (*journal)->append(entries(1, 1));  // `zonegate run` while a server serves
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.first().code, ErrorCode::kFenced);
  EXPECT_NE(refused.first().message.find("is served by node a"), std::string::npos)
      << refused.first().message;
  EXPECT_EQ(read_all(**journal).size(), 0u);
  // A clean shutdown releases the lease: writers go on at once.
  ASSERT_TRUE(node->release(epoch).is_ok());
  EXPECT_TRUE((*journal)->append(entries(1, 1)).is_ok());
  auto standby = lease_for(backend, "b", 60'000);
  EXPECT_EQ(*standby->try_acquire(), 2u);
}

TEST(ShardLease, ShardsListTheirLeaseNodesAndLength) {
  PostgresBackend backend;
  ZG_NEED_BACKEND(backend, "postgresql");
  auto journal = backend.open(true);
  ASSERT_TRUE(journal.is_ok());
  auto a = lease_for(backend, "a", 60'000);
  auto b = lease_for(backend, "b", 60'000);
  const uint64_t epoch = *a->try_acquire();
  ASSERT_TRUE((*journal)->become_writer(epoch).is_ok());
  ASSERT_TRUE((*journal)->append(entries(1, 4)).is_ok());
  Result<uint64_t> stored = a->report("owner", epoch, 4);
  ASSERT_TRUE(stored.is_ok());
  EXPECT_EQ(*stored, 4u);
  ASSERT_TRUE(b->report("standby", epoch, 2).is_ok());
  Result<std::vector<ShardState>> shards = ShardLease::list(backend.options());
  ASSERT_TRUE(shards.is_ok()) << shards.status().first().message;
  const ShardState* ours = nullptr;
  for (const ShardState& shard : *shards) {
    if (shard.shard == backend.options().shard) ours = &shard;
  }
  ASSERT_NE(ours, nullptr);
  EXPECT_EQ(ours->last_seq, 4u);
  EXPECT_EQ(ours->lease.holder, "a");
  EXPECT_EQ(ours->lease.address, "http://a:8080");
  EXPECT_EQ(ours->lease.epoch, 1u);
  EXPECT_GT(ours->lease.expires_in_ms, 50'000);
  ASSERT_EQ(ours->nodes.size(), 2u);
  EXPECT_EQ(ours->nodes[1].node, "b");
  EXPECT_EQ(ours->nodes[1].role, "standby");
  EXPECT_EQ(ours->nodes[1].applied_seq, 2u);
}

// Listing shards (`zonegate shards`) while another node creates and drops
// one: a shard dropped between the list of schemas and the reading of its
// own tables is left out, not an error. Each listing reads the schemas
// first, then each shard's tables: before, 4 to 6 listings in 50 failed.
TEST(ShardLease, AShardDroppedWhileListingIsLeftOut) {
  PostgresBackend backend;
  ZG_NEED_BACKEND(backend, "postgresql");
  PostgresOptions churned = backend.options();
  churned.shard += "_churned";
  std::atomic<bool> done{false};
  std::atomic<int> drops{0};
  std::atomic<bool> churn_failed{false};
  std::string churn_error;  // read once the thread is joined
  std::thread churn([&] {
    while (!done.load()) {
      Status status = Status::ok();
      if (auto made = PostgresJournal::open(churned, true); !made.is_ok()) status = made.status();
      // (the shard is closed as `made` goes)
      if (status.is_ok()) status = PostgresJournal::drop_shard(churned);
      if (!status.is_ok()) {
        churn_error = status.first().message;
        churn_failed.store(true);
        return;
      }
      drops.fetch_add(1);
    }
  });
  int listings = 0, failures = 0;
  std::string first_failure;
  while (listings < 2'000 && (listings < 50 || drops.load() < 4) && !churn_failed.load()) {
    Result<std::vector<ShardState>> shards = ShardLease::list(backend.options());
    ++listings;
    if (!shards.is_ok() && failures++ == 0) first_failure = shards.status().first().message;
  }
  done.store(true);
  churn.join();
  EXPECT_EQ(churn_error, "");
  EXPECT_GE(drops.load(), 4) << "the shard was made and dropped too few times to tell";
  EXPECT_EQ(failures, 0) << failures << " of " << listings << " listings failed: " << first_failure;
}

// The analysts' views hold up to what the engine accepts and PostgreSQL's
// types do not: a NUL in a string (jsonb refuses \u0000) and a UTC offset
// past 15:59 (timestamptz refuses it) read as a row with the odd field
// cleaned or NULL, not as an error in every query.
TEST(PostgresJournal, TheSqlViewsHoldUpToOddRows) {
  PostgresBackend backend;
  ZG_NEED_BACKEND(backend, "postgresql");
  auto journal = backend.open(true);
  ASSERT_TRUE(journal.is_ok());
  const std::string declare =
      R"({"status":"accepted","declaration":"HQ1","movement":"first_line_entry",)"
      R"("totals":{"customs_value":"10.50","duty":"1.25","consumption_tax":"0.00","vat":"0.00","refund":"0.00"},)"
      R"("items":[{"line":1,"hs":"85423100","customs_value":"10.50","duty":"1.25","consumption_tax":"0.00","vat":"0.00","refund":"0.00"}]})";
  std::vector<JournalEntry> rows = {
      make_journal_entry(
          1,
          R"({"id":"a","type":"register_enterprise","at":"2024-03-01T09:00:00+16:00","name":"T\u0000X"})",
          R"({"status":"accepted"})", "p"),
      make_journal_entry(
          2, R"({"id":"b","type":"declare","at":"2024-03-02T09:00:00+08:00","declarant":"U"})",
          declare, "p")};
  ASSERT_TRUE((*journal)->append(rows).is_ok());
  const std::string url = backend.options().url;
  const std::string shard = backend.options().shard;
  const auto query = [&](const std::string& sql) {
    const std::string command = "psql -X -At '" + url + "' -c \"" + sql + "\" 2>&1";
    std::string out;
    if (FILE* pipe = popen(command.c_str(), "r")) {
      char buffer[256];
      while (fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
      pclose(pipe);
    }
    return out;
  };
  EXPECT_EQ(query("SELECT id, at IS NULL FROM " + shard + ".commands ORDER BY seq"), "a|t\nb|f\n");
  EXPECT_EQ(query("SELECT number, duty, at FROM " + shard + ".declarations"),
            "HQ1|1.25|2024-03-02 01:00:00+00\n");
  EXPECT_EQ(query("SELECT count(*) FROM " + shard + ".declaration_items WHERE hs = '85423100'"),
            "1\n");
}

// Nodes of a shard share snapshots through it: the two newest are kept,
// each fetched back byte for byte.
TEST(PostgresJournal, KeepsTheTwoNewestSnapshotsForOtherNodes) {
  PostgresBackend backend;
  ZG_NEED_BACKEND(backend, "postgresql");
  auto journal = backend.open(true);
  ASSERT_TRUE(journal.is_ok());
  TempDir dir("zg-journal-test");
  const auto write = [&](const char* name, size_t bytes, char fill) {
    std::ofstream(dir.file(name), std::ios::binary) << std::string(bytes, fill);
    return dir.file(name);
  };
  EXPECT_EQ(*(*journal)->newest_kept_snapshot(), 0u);
  ASSERT_TRUE((*journal)->keep_snapshot(100, write("a", 300'000, 'a')).is_ok());
  ASSERT_TRUE((*journal)->keep_snapshot(200, write("b", 5, 'b')).is_ok());
  ASSERT_TRUE((*journal)->keep_snapshot(300, write("c", 70'000, 'c')).is_ok());
  ASSERT_TRUE((*journal)->keep_snapshot(300, write("c2", 1, 'x')).is_ok());  // kept already
  EXPECT_EQ(*(*journal)->newest_kept_snapshot(), 300u);
  ASSERT_TRUE((*journal)->fetch_snapshot(300, dir.file("out")).is_ok());
  std::ifstream in(dir.file("out"), std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), std::string(70'000, 'c'));
  EXPECT_TRUE((*journal)->fetch_snapshot(200, dir.file("out2")).is_ok());
  EXPECT_FALSE((*journal)->fetch_snapshot(100, dir.file("out3")).is_ok());  // the oldest went
}

// The server restarting, or the network dropping, mid-run: the journal's
// connection is cut from another session; the next append connects again
// and goes on, and nothing is lost or doubled.
TEST(PostgresJournal, ALostConnectionIsMadeAgainAndTheAppendGoesOn) {
  PostgresBackend backend;
  ZG_NEED_BACKEND(backend, "postgresql");
  const std::string tag = "zg_cut_" + std::to_string(getpid());
  PostgresOptions options = backend.options();
  options.url += (options.url.find('?') == std::string::npos ? "?" : "&");
  options.url += "application_name=" + tag;
  auto journal = PostgresJournal::open(options, true);
  ASSERT_TRUE(journal.is_ok()) << journal.status().first().message;
  ASSERT_TRUE((*journal)->append(entries(1, 3)).is_ok());
  psql(backend.options().url,
       "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" + tag +
           "'");
  Status appended = (*journal)->append(entries(4, 6));
  ASSERT_TRUE(appended.is_ok()) << appended.first().message;
  EXPECT_EQ(read_all(**journal).size(), 6u);
  EXPECT_EQ(read_all(**journal)[5].entry, entry(6).entry);
}

TEST(StoreSpec, TheDefaultShardIsNamedOnlyWhenTheUrlNamesNone) {
  EXPECT_EQ(with_default_shard("postgresql://u@h:5432/db", "hengqin"),
            "postgresql://u@h:5432/db?shard=hengqin");
  EXPECT_EQ(with_default_shard("postgresql://u@h/db?sslmode=require", "hengqin"),
            "postgresql://u@h/db?sslmode=require&shard=hengqin");
  EXPECT_EQ(with_default_shard("postgresql://u@h/db?shard=macao", "hengqin"),
            "postgresql://u@h/db?shard=macao");
  EXPECT_EQ(with_default_shard("postgresql://u@h/db?a=1&shard=macao", "hengqin"),
            "postgresql://u@h/db?a=1&shard=macao");
  EXPECT_EQ(with_default_shard("sqlite", "hengqin"), "sqlite");
  EXPECT_EQ(with_default_shard("", "hengqin"), "");
  EXPECT_EQ(with_default_shard("postgresql://u@h/db", "Bad-Name"), "postgresql://u@h/db");
}

TEST(StoreSpec, ParsesSqliteAndPostgresUrls) {
  struct Case {
    std::string_view text;
    bool ok;
    std::string_view url, shard, recorded;
  };
  const Case kCases[] = {
      {"sqlite", true, "", "", "sqlite"},
      {"postgresql://zg@127.0.0.1:5432/zones", true, "postgresql://zg@127.0.0.1:5432/zones", "zone",
       "postgresql://zg@127.0.0.1:5432/zones?shard=zone"},
      {"postgresql://zg:pw@db:5432/zones?shard=hengqin&sslmode=require", true,
       "postgresql://zg:pw@db:5432/zones?sslmode=require", "hengqin",
       "postgresql://zg@db:5432/zones?shard=hengqin&sslmode=require"},
      {"postgres://zg@db/zones?password=pw", true, "postgres://zg@db/zones?password=pw", "zone",
       "postgres://zg@db/zones?shard=zone"},
      {"postgresql://zg@db/zones?sslpassword=k&sslmode=verify-full", true,
       "postgresql://zg@db/zones?sslpassword=k&sslmode=verify-full", "zone",
       "postgresql://zg@db/zones?shard=zone&sslmode=verify-full"},
      {"postgresql://zg@db/zones?shard=Hengqin", false, "", "", ""},
      {"postgresql://zg@db/zones?shard=pg_catalog", false, "", "", ""},
      {"postgresql://zg@db/zones?shard=a;drop", false, "", "", ""},
      {"mysql://zg@db/zones", false, "", "", ""},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    Result<StoreSpec> spec = parse_store_spec(std::string(c.text));
    ASSERT_EQ(spec.is_ok(), c.ok);
    if (!c.ok) {
      EXPECT_EQ(spec.status().first().code, ErrorCode::kUsage);
      continue;
    }
    EXPECT_EQ(spec->url, c.url);
    EXPECT_EQ(spec->shard, c.shard);
    EXPECT_EQ(spec->recorded, c.recorded);
  }
  EXPECT_EQ(redact_password("postgresql://u:p@h/d"), "postgresql://u@h/d");
  EXPECT_EQ(redact_password("postgresql://h/d?x=a:b@c"), "postgresql://h/d?x=a:b@c");
}

// ---- SQLite only ------------------------------------------------------------

TEST(SqliteJournal, RefusesFilesThatAreNotJournals) {
  TempDir dir("zg-journal-test");
  {
    std::ofstream text(dir.file("text.db"));
    text << "this is not a database, it is somebody's notes\n";
  }
  auto not_sqlite = SqliteJournal::open(dir.file("text.db"), true);
  ASSERT_FALSE(not_sqlite.is_ok());
  EXPECT_EQ(not_sqlite.status().first().code, ErrorCode::kUnsupportedFormat);
  {
    std::ifstream check(dir.file("text.db"));
    std::string first_line;
    std::getline(check, first_line);
    EXPECT_EQ(first_line, "this is not a database, it is somebody's notes");  // untouched
  }
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(dir.file("other.db").c_str(), &other), SQLITE_OK);
  sqlite3_exec(other, "CREATE TABLE accounts (id INTEGER)", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  auto someone_else = SqliteJournal::open(dir.file("other.db"), true);
  ASSERT_FALSE(someone_else.is_ok());
  EXPECT_EQ(someone_else.status().first().code, ErrorCode::kUnsupportedFormat);
}

TEST(SqliteJournal, AnotherConnectionsLockIsWaitedFor) {
  TempDir dir("zg-journal-test");
  auto opened = SqliteJournal::open(dir.file("journal.db"), true);
  ASSERT_TRUE(opened.is_ok());
  SqliteJournal& journal = **opened;
  ASSERT_TRUE(journal.append(entries(1, 2)).is_ok());
  // Another connection takes the write lock and lets it go a moment later.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(dir.file("journal.db").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  const auto started = std::chrono::steady_clock::now();
  std::thread release([other] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
  });
  // The append waits for it, rather than failing (which would stop a zone).
  const Status appended = journal.append(entries(3, 4));
  const auto waited = std::chrono::steady_clock::now() - started;
  release.join();
  sqlite3_close(other);
  EXPECT_TRUE(appended.is_ok()) << appended.first().message;
  EXPECT_GE(waited, std::chrono::milliseconds(300));
  EXPECT_EQ(journal.last_seq(), 4u);
}

TEST(JournalEntry, DetectsTampering) {
  JournalEntry row = entry(7);
  ASSERT_TRUE(check_journal_entry(row).is_ok());
  // RFC 6962 leaf: SHA-256(0x00 || entry).
  EXPECT_EQ(row.leaf_hash, leaf_hash(row.entry));
  JournalEntry changed = row;
  changed.entry.replace(changed.entry.find("accepted"), 8, "rejected");
  Result<JournalRecord> record = check_journal_entry(changed);
  ASSERT_FALSE(record.is_ok());
  EXPECT_EQ(record.status().first().code, ErrorCode::kCorruption);
  EXPECT_EQ(record.status().first().message,
            "journal seq 7: the stored hash does not match the entry");
  JournalEntry moved = row;
  moved.seq = 8;
  EXPECT_FALSE(check_journal_entry(moved).is_ok());  // the entry says seq 7
}

TEST(JournalEntry, IsCanonicalJsonWithItsMembersInOrder) {
  const JournalEntry row = make_journal_entry(3, R"({"id":"x","type":"t"})",
                                              R"({"status":"accepted", "id":"x","seq":3})", "ff");
  EXPECT_EQ(
      row.entry,
      R"({"command":{"id":"x","type":"t"},"pack":"ff","result":{"id":"x","seq":3,"status":"accepted"},"seq":3})");
}

}  // namespace
}  // namespace zg

namespace zg {
namespace {

TEST(JournalEntry, RefusesAWellHashedEntryOfTheWrongShape) {
  for (std::string_view text :
       {R"({"pack":"ff","command":{},"result":{},"seq":1})",
        R"({"command":{},"pack":"ff","seq":1})",
        R"({"command":{},"pack":"ff","result":{},"seq":2})",
        R"({"command":[],"pack":"ff","result":{},"seq":1})",
        R"({"command":{"a":"},\"pack\":"},"pack":"ff","result":{},"seq":1,"x":1})"}) {
    JournalEntry row;
    row.seq = 1;
    row.entry = std::string(text);
    row.leaf_hash = leaf_hash(row.entry);
    Result<JournalRecord> record = check_journal_entry(row);
    ASSERT_FALSE(record.is_ok()) << text;
    EXPECT_EQ(record.status().first().message,
              "journal seq 1: the entry lacks command, result, pack or its seq");
  }
  JournalEntry tricky;  // a string holding what looks like the next member
  tricky.seq = 1;
  tricky.entry =
      R"({"command":{"a":"},\"pack\":\"x"},"pack":"ff","result":{"b":[1,{"c":"]"}]},"seq":1})";
  tricky.leaf_hash = leaf_hash(tricky.entry);
  Result<JournalRecord> record = check_journal_entry(tricky);
  ASSERT_TRUE(record.is_ok()) << record.status().first().message;
  EXPECT_EQ(record->command, R"({"a":"},\"pack\":\"x"})");
  EXPECT_EQ(record->result, R"({"b":[1,{"c":"]"}]})");
  EXPECT_EQ(record->pack, "ff");
}

}  // namespace
}  // namespace zg
