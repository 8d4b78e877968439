// Results read back from a journal on disk: the recorded (canonical) result
// of the row asked for, through a connection of the reader's own, while
// the zone's connection goes on appending.
#include "durable/journal_results.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "engine/journal_entry.h"
#include "store/sqlite/sqlite_journal.h"

namespace zg {
namespace {

namespace fs = std::filesystem;

class JournalResults : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("zg-journal-results-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Appends rows from..to, each command "c<seq>" with a result whose
  // members are out of canonical order.
  static void append(SqliteJournal& journal, uint64_t from, uint64_t to) {
    std::vector<JournalEntry> rows;
    for (uint64_t seq = from; seq <= to; ++seq) {
      const std::string n = std::to_string(seq);
      rows.push_back(make_journal_entry(seq, R"({"id":"c)" + n + R"("})",
                                        R"({"id":"c)" + n + R"(","seq":)" + n + R"(,"a":1})",
                                        std::string(64, 'f')));
    }
    ASSERT_TRUE(journal.append(rows).is_ok());
  }
  fs::path dir_;
};

TEST_F(JournalResults, ReadsTheRecordedResultOfTheRowAskedFor) {
  auto opened = SqliteJournal::open((dir_ / "journal.db").string(), true);
  ASSERT_TRUE(opened.is_ok());
  SqliteJournal& journal = **opened;
  append(journal, 1, 50);
  const ResultReader read = journal_result_reader(dir_.string(), StoreSpec{});
  Result<std::string> result = read(7);
  ASSERT_TRUE(result.is_ok()) << result.status().first().message;
  EXPECT_EQ(*result, R"({"a":1,"id":"c7","seq":7})");  // as recorded: canonical
  // Rows the zone appends later are read too, on the reader's connection.
  append(journal, 51, 60);
  result = read(60);
  ASSERT_TRUE(result.is_ok()) << result.status().first().message;
  EXPECT_EQ(*result, R"({"a":1,"id":"c60","seq":60})");
  // A copy shares the connection; a row the journal lacks is corruption.
  const ResultReader copy = read;
  Result<std::string> missing = copy(61);
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().first().code, ErrorCode::kCorruption);
  EXPECT_NE(missing.status().first().message.find("no row 61"), std::string::npos)
      << missing.status().first().message;
}

TEST_F(JournalResults, AJournalThatCannotBeOpenedIsAnError) {
  const ResultReader read = journal_result_reader((dir_ / "none").string(), StoreSpec{});
  Result<std::string> result = read(1);
  ASSERT_FALSE(result.is_ok());
  EXPECT_NE(result.status().first().message.find("journal"), std::string::npos)
      << result.status().first().message;
}

}  // namespace
}  // namespace zg
