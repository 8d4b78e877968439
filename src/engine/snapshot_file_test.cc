// A snapshot file's pieces: written in order and sealed by the SHA-256 of
// them all, by the file's own thread or the caller's; an older file can be
// written over in place; a full disk is an error, and an abandoned file
// stops its thread.
#include "engine/snapshot_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

namespace zg {
namespace {

namespace fs = std::filesystem;

class SnapshotFileTest : public testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    path_ = fs::temp_directory_path() / ("zg-snapshot-file-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(GetParam()) + ".snap");
  }
  void TearDown() override { fs::remove(path_); }
  static std::string contents_of(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
  }
  static void write_file(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
  }
  std::string contents() const { return contents_of(path_); }
  // Writes "state" as the snapshot, told to reuse `reuse`, and checks it.
  void write_state_reusing(const fs::path& reuse) {
    SnapshotFile file(path_.string(), GetParam(), reuse.string());
    ASSERT_EQ(file.failure(), "");
    std::string piece = "state";
    file.append(piece);
    EXPECT_EQ(file.finish(), "");
    const Digest seal = sha256("state");
    EXPECT_EQ(contents(), "state" + std::string(seal.begin(), seal.end()));
  }
  fs::path path_;
};

TEST_P(SnapshotFileTest, PiecesAreWrittenInOrderAndSealed) {
  SnapshotFile file(path_.string(), GetParam());
  ASSERT_EQ(file.failure(), "");
  std::string expected;
  for (int i = 0; i < 200; ++i) {
    std::string piece(static_cast<size_t>(i * 37 % 5000), static_cast<char>('a' + i % 26));
    expected += piece;
    file.append(piece);
    EXPECT_TRUE(piece.empty());  // taken, an empty buffer given back
  }
  EXPECT_EQ(file.finish(), "");
  const Digest seal = sha256(expected);
  EXPECT_EQ(contents(), expected + std::string(seal.begin(), seal.end()));
}

ino_t inode_of(const fs::path& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

TEST_P(SnapshotFileTest, AnOlderFileIsWrittenOverInPlaceAndCutToLength) {
  const fs::path older = path_.string() + ".older";
  write_file(older, std::string(1 << 20, 'z'));  // longer than what replaces it
  const ino_t inode = inode_of(older);
  ASSERT_NE(inode, 0u);
  SnapshotFile file(path_.string(), GetParam(), older.string());
  ASSERT_EQ(file.failure(), "");
  std::string expected;
  for (int i = 0; i < 30; ++i) {
    std::string piece(static_cast<size_t>(1000 + i * 997), static_cast<char>('a' + i % 26));
    expected += piece;
    file.append(piece);
  }
  EXPECT_EQ(file.finish(), "");
  const Digest seal = sha256(expected);
  EXPECT_EQ(contents(), expected + std::string(seal.begin(), seal.end()));
  EXPECT_EQ(inode_of(path_), inode);  // the same file, renamed and written over
  EXPECT_FALSE(fs::exists(older));
}

TEST_P(SnapshotFileTest, AnOlderFileLinkedElsewhereIsLeftWhole) {
  const fs::path older = path_.string() + ".older";
  const fs::path backup = path_.string() + ".backup";
  write_file(older, "an older snapshot");
  fs::create_hard_link(older, backup);
  write_state_reusing(older);
  EXPECT_NE(inode_of(path_), inode_of(backup));
  EXPECT_EQ(contents_of(backup), "an older snapshot");
  fs::remove(backup);
}

TEST_P(SnapshotFileTest, ASymbolicLinkToReuseLeavesItsTargetWhole) {
  const fs::path target = path_.string() + ".target";
  const fs::path older = path_.string() + ".older";
  write_file(target, "kept elsewhere");
  fs::create_symlink(target, older);
  write_state_reusing(older);
  EXPECT_FALSE(fs::is_symlink(path_));
  EXPECT_EQ(contents_of(target), "kept elsewhere");
  fs::remove(target);
}

TEST_P(SnapshotFileTest, AFileToReuseThatIsGoneMeansANewOne) {
  write_state_reusing(path_.string() + ".never-made");
}

TEST_P(SnapshotFileTest, AFullDiskIsReported) {
  SnapshotFile file("/dev/full", GetParam());
  ASSERT_EQ(file.failure(), "");
  for (int i = 0; i < 5; ++i) {
    std::string piece(100000, 'x');
    file.append(piece);
  }
  // The write's error (not fsync's: /dev/full cannot be synced at all).
  EXPECT_EQ(file.finish(), std::strerror(ENOSPC));
  EXPECT_TRUE(file.failed());
}

TEST_P(SnapshotFileTest, AnAbandonedFileStopsItsWriter) {
  // On a thread of its own, so that a writer that never stops fails the
  // test instead of hanging it.
  auto abandoned = std::async(std::launch::async, [&] {
    SnapshotFile file(path_.string(), GetParam());
    for (int i = 0; i < 5; ++i) {
      std::string piece(1 << 20, 'y');
      file.append(piece);
    }
  });  // no finish(): the destructor returns, the file is not sealed
  ASSERT_EQ(abandoned.wait_for(std::chrono::seconds(30)), std::future_status::ready)
      << "the writer did not stop";
  const size_t size = contents().size();
  if (GetParam()) {
    // Whole pieces, as far as the writer got; pieces still waiting dropped.
    EXPECT_EQ(size % (1 << 20), 0u);
    EXPECT_LE(size, size_t{5} << 20);
  } else {
    EXPECT_EQ(size, size_t{5} << 20);  // each written in turn, never the seal
  }
}

INSTANTIATE_TEST_SUITE_P(Writers, SnapshotFileTest, testing::Bool(),
                         [](const testing::TestParamInfo<bool>& writer) {
                           return writer.param ? "OwnThread" : "CallersThread";
                         });

}  // namespace
}  // namespace zg
