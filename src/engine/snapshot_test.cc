// Snapshots written a piece at a time: whatever the piece size, the file
// is the same bytes, and it reads back into the same state.
#include "engine/snapshot.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "policy/test_packs.h"

namespace zg {
namespace {

namespace fs = std::filesystem;
using testing_packs::hengqin;

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

// A zone with an enterprise, its declarations and their results.
void load(Engine& engine) {
  engine.execute(
      R"({"type":"register_enterprise","id":"e1","at":"2024-03-01T09:00:00+08:00","uscc":"914404000MA4W2X016","name":"T","legal_person":true,"registered_in_zone":true,"duty_free_importer":true})",
      1);
  for (int i = 0; i < 300; ++i) {
    const std::string n = std::to_string(i);
    engine.execute(
        R"({"type":"declare","id":"d)" + n +
            R"(","at":"2024-05-06T10:00:00+08:00","movement":"first_line_entry","declarant":"914404000MA4W2X016","purpose":"trade","currency":"CNY","items":[{"item":"W)" +
            n + R"(","hs":"22042100","origin":"FR","quantity":")" + std::to_string(i + 1) +
            R"(","unit":"L","value":")" + std::to_string(10 * (i + 1)) + R"(.00"}]})",
        2 + i);
  }
}

class SnapshotFiles : public testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("zg-snapshot-test-" + std::to_string(::getpid()) + "-" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(SnapshotFiles, PiecesOfAnySizeWriteTheSameBytes) {
  Engine engine(hengqin());
  load(engine);
  const std::string leaf(64, 'a');
  ASSERT_TRUE(write_snapshot(engine, "pack", leaf, (dir_ / "whole.snap").string()).is_ok());
  // Pieces of 1 and 64 bytes cut through every kind of record.
  ASSERT_TRUE(write_snapshot(engine, "pack", leaf, (dir_ / "small.snap").string(), 64).is_ok());
  ASSERT_TRUE(write_snapshot(engine, "pack", leaf, (dir_ / "bytes.snap").string(), 1).is_ok());
  // Pieces written in turn by the caller, as a forked child under TSan does.
  ASSERT_TRUE(write_snapshot(engine, "pack", leaf, (dir_ / "in-turn.snap").string(), 64,
                             SnapshotWriter::kCallersThread)
                  .is_ok());
  const std::string whole = file_bytes(dir_ / "whole.snap");
  EXPECT_GT(whole.size(), 64u * 100);
  EXPECT_EQ(file_bytes(dir_ / "small.snap"), whole);
  EXPECT_EQ(file_bytes(dir_ / "bytes.snap"), whole);
  EXPECT_EQ(file_bytes(dir_ / "in-turn.snap"), whole);
  EXPECT_FALSE(fs::exists(dir_ / "small.snap.partial"));

  Engine restored(hengqin());
  Result<SnapshotInfo> info = read_snapshot((dir_ / "small.snap").string(), restored);
  ASSERT_TRUE(info.is_ok()) << info.status().first().message;
  EXPECT_EQ(info->seq, 301u);
  EXPECT_EQ(info->journal_leaf, leaf);
  EXPECT_EQ(restored.state_hash(), engine.state_hash());
}

// Cigarettes under a licence still to be checked: accepted, and held.
const std::string kCigarettesToHold =
    R"({"type":"declare","id":"d-cig","at":"2024-05-06T11:00:00+08:00","movement":"first_line_entry","declarant":"914404000MA4W2X016","purpose":"trade","currency":"CNY","items":[{"item":"CIG-A","hs":"24022000","origin":"GB","quantity":"10","unit":"1000pcs","value":"5000.00","licence":"TL-2024-000123"}]})";
// load()'s declaration d7 again: a repeat, at seq 9.
const std::string kRepeatOfD7 =
    R"({"type":"declare","id":"d7","at":"2024-05-06T10:00:00+08:00","movement":"first_line_entry","declarant":"914404000MA4W2X016","purpose":"trade","currency":"CNY","items":[{"item":"W7","hs":"22042100","origin":"FR","quantity":"8","unit":"L","value":"80.00"}]})";

// Results stay in the journal: the file holds a held declaration's (its
// inspection reads it) and no other. After loading, a repeat reads the
// journal at the command's seq; the held one's is answered from memory.
TEST_F(SnapshotFiles, ResultsAreLeftToTheJournalSaveAHeldDeclarations) {
  Engine engine(hengqin());
  load(engine);
  const std::string held(engine.execute(kCigarettesToHold, 400));
  ASSERT_NE(held.find(R"("release":"held")"), std::string::npos) << held;
  const std::string d7(engine.execute(kRepeatOfD7, 401));
  ASSERT_NE(d7.find(R"("seq":9)"), std::string::npos) << d7;
  ASSERT_TRUE(
      write_snapshot(engine, "pack", std::string(64, 'a'), (dir_ / "x.snap").string()).is_ok());
  const std::string bytes = file_bytes(dir_ / "x.snap");
  size_t results = 0;
  for (size_t at = bytes.find(R"("status":"accepted")"); at != std::string::npos;
       at = bytes.find(R"("status":"accepted")", at + 1)) {
    ++results;
  }
  EXPECT_EQ(results, 1u);  // the held declaration's alone, of 302

  Engine restored(hengqin());
  std::vector<uint64_t> asked;
  restored.set_result_reader([&](uint64_t seq) -> Result<std::string> {
    asked.push_back(seq);
    return R"({"id":"d7","recorded_at":)" + std::to_string(seq) + "}";
  });
  ASSERT_TRUE(read_snapshot((dir_ / "x.snap").string(), restored).is_ok());
  EXPECT_EQ(restored.state_hash(), engine.state_hash());
  EXPECT_EQ(restored.execute(kRepeatOfD7, 1), R"({"id":"d7","recorded_at":9})");
  EXPECT_EQ(asked, std::vector<uint64_t>{9});
  EXPECT_EQ(restored.execute(kCigarettesToHold, 2), held);
  EXPECT_EQ(asked.size(), 1u);
  EXPECT_EQ(restored.state().last_seq, engine.state().last_seq);
}

TEST_F(SnapshotFiles, AWriteThatCannotBeMadeIsAnErrorAndLeavesNothing) {
  Engine engine(hengqin());
  load(engine);
  const fs::path missing = dir_ / "no-such-directory" / "x.snap";
  Status status = write_snapshot(engine, "pack", std::string(64, 'a'), missing.string(), 64);
  ASSERT_FALSE(status.is_ok());
  EXPECT_NE(status.first().message.find("cannot write"), std::string::npos)
      << status.first().message;
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(SnapshotFiles, AFullDiskIsAnErrorAndLeavesNothing) {
  Engine engine(hengqin());
  load(engine);
  // The part file is made through a link to /dev/full: every write fails.
  fs::create_symlink("/dev/full", dir_ / "x.snap.partial");
  for (SnapshotWriter writer : {SnapshotWriter::kOwnThread, SnapshotWriter::kCallersThread}) {
    Status status = write_snapshot(engine, "pack", std::string(64, 'a'), (dir_ / "x.snap").string(),
                                   64, writer);
    ASSERT_FALSE(status.is_ok());
    EXPECT_EQ(status.first().code, ErrorCode::kIoError);
    EXPECT_NE(status.first().message.find(std::strerror(ENOSPC)), std::string::npos)
        << status.first().message;
    EXPECT_TRUE(fs::is_empty(dir_));  // no snapshot, and the part file removed
    fs::create_symlink("/dev/full", dir_ / "x.snap.partial");
  }
}

TEST_F(SnapshotFiles, WhatIsNoSnapshotIsRefusedAsSuch) {
  Engine engine(hengqin());
  load(engine);
  ASSERT_TRUE(
      write_snapshot(engine, "pack", std::string(64, 'a'), (dir_ / "good.snap").string()).is_ok());
  const std::string good = file_bytes(dir_ / "good.snap");
  const auto write = [&](const char* name, const std::string& bytes) {
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
    return (dir_ / name).string();
  };
  // The error's code and message; a read that succeeds fails the test.
  const auto refusal = [&](const std::string& path) -> std::pair<ErrorCode, std::string> {
    Engine fresh(hengqin());
    Result<SnapshotInfo> info = read_snapshot(path, fresh);
    if (info.is_ok()) {
      ADD_FAILURE() << path << " was read as a snapshot";
      return {ErrorCode::kUsage, ""};  // matches none of the codes expected below
    }
    return {info.status().first().code, info.status().first().message};
  };
  EXPECT_EQ(refusal(write("empty.snap", "")).first, ErrorCode::kCorruption);
  EXPECT_EQ(refusal(write("short.snap", good.substr(0, 40))).first, ErrorCode::kCorruption);
  std::string flipped = good;
  flipped[flipped.size() / 2] ^= 1;
  const auto damaged = refusal(write("flipped.snap", flipped));
  EXPECT_EQ(damaged.first, ErrorCode::kCorruption);
  EXPECT_NE(damaged.second.find("damaged"), std::string::npos) << damaged.second;
  // A snapshot an older zonegate wrote says so (a replay of the journal replaces it).
  std::string older = good;
  older.replace(0, std::string_view("zonegate-snapshot 14").size(), "zonegate-snapshot 13");
  const auto old_format = refusal(write("older.snap", older));
  EXPECT_EQ(old_format.first, ErrorCode::kUnsupportedFormat);
  EXPECT_NE(old_format.second.find("format 13; this zonegate reads format 14"), std::string::npos)
      << old_format.second;
  fs::create_directories(dir_ / "a-directory.snap");
  EXPECT_EQ(refusal((dir_ / "a-directory.snap").string()).first, ErrorCode::kIoError);
  EXPECT_EQ(refusal((dir_ / "missing.snap").string()).first, ErrorCode::kIoError);
  // The good one reads (its copy, so it is mapped after plain reads of it).
  Engine restored(hengqin());
  Result<SnapshotInfo> info = read_snapshot(write("copy.snap", good), restored);
  ASSERT_TRUE(info.is_ok()) << info.status().first().message;
  EXPECT_EQ(restored.state_hash(), engine.state_hash());
}

}  // namespace
}  // namespace zg
