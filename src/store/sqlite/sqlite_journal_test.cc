// The journal store's contract, run against SQLite. (The PostgreSQL backend
// will run the same cases.)
#include "store/sqlite/sqlite_journal.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "engine/journal_entry.h"

namespace zg {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = fs::temp_directory_path() /
            ("zg-journal-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const char* name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

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

TEST(SqliteJournal, AppendsInOrderAndReadsBackAfterReopening) {
  TempDir dir;
  {
    auto journal = SqliteJournal::open(dir.file("j.db"), true);
    ASSERT_TRUE(journal.is_ok()) << journal.status().first().message;
    std::vector<JournalEntry> batch = {entry(1), entry(2), entry(3)};
    ASSERT_TRUE((*journal)->append(batch).is_ok());
    EXPECT_EQ((*journal)->last_seq(), 3u);
  }
  auto reopened = SqliteJournal::open(dir.file("j.db"), false);
  ASSERT_TRUE(reopened.is_ok());
  EXPECT_EQ((*reopened)->last_seq(), 3u);
  const std::vector<JournalEntry> rows = read_all(**reopened);
  ASSERT_EQ(rows.size(), 3u);
  for (const JournalEntry& row : rows) {
    Result<JournalRecord> record = check_journal_entry(row);
    ASSERT_TRUE(record.is_ok()) << record.status().first().message;
    EXPECT_EQ(record->pack, "abc");
  }
  EXPECT_EQ(rows[1].entry, entry(2).entry);
}

TEST(SqliteJournal, RefusesAGapAndKeepsNothingOfTheBatch) {
  TempDir dir;
  auto journal = SqliteJournal::open(dir.file("j.db"), true);
  ASSERT_TRUE(journal.is_ok());
  std::vector<JournalEntry> gap = {entry(1), entry(3)};
  Status status = (*journal)->append(gap);
  ASSERT_FALSE(status.is_ok());
  EXPECT_EQ(status.first().code, ErrorCode::kCorruption);
  EXPECT_EQ((*journal)->last_seq(), 0u);
  EXPECT_TRUE(read_all(**journal).empty());
  std::vector<JournalEntry> good = {entry(1)};
  EXPECT_TRUE((*journal)->append(good).is_ok());
}

TEST(SqliteJournal, RefusesFilesThatAreNotJournals) {
  TempDir dir;
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

TEST(SqliteJournal, RefusesANewerFormat) {
  TempDir dir;
  {
    auto journal = SqliteJournal::open(dir.file("j.db"), true);
    ASSERT_TRUE(journal.is_ok());
    ASSERT_TRUE((*journal)->put_meta("format", "99").is_ok());
  }
  auto newer = SqliteJournal::open(dir.file("j.db"), false);
  ASSERT_FALSE(newer.is_ok());
  EXPECT_EQ(newer.status().first().code, ErrorCode::kUnsupportedFormat);
  EXPECT_NE(newer.status().first().message.find("format 99"), std::string::npos);
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
