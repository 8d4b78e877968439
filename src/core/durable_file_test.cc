#include "core/durable_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace zg {
namespace {

std::string content(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(DurableFile, WritesWithItsModeAndNeverReplacesWhenAskedNotTo) {
  const std::string path = testing::TempDir() + "zg-durable-" + std::to_string(getpid());
  std::filesystem::remove(path);
  ASSERT_TRUE(write_file_durably(path, "first\n", 0600, Replace::kNever).is_ok());
  EXPECT_EQ(content(path), "first\n");
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  bool existed = false;
  const Status again = write_file_durably(path, "second\n", 0600, Replace::kNever, &existed);
  EXPECT_FALSE(again.is_ok());
  EXPECT_TRUE(existed);
  EXPECT_NE(again.first().message.find("exists"), std::string::npos);
  EXPECT_EQ(content(path), "first\n");
  for (const auto& entry : std::filesystem::directory_iterator(testing::TempDir())) {
    EXPECT_EQ(entry.path().string().find(path + ".tmp"), std::string::npos) << entry.path();
  }
  ASSERT_TRUE(write_file_durably(path, "third\n", 0644, Replace::kAllowed).is_ok());
  EXPECT_EQ(content(path), "third\n");
  // A partial file left by someone else is not in the way, and not touched.
  std::ofstream(path + ".tmp") << "stale";
  ASSERT_TRUE(write_file_durably(path, "fourth\n", 0644, Replace::kAllowed).is_ok());
  EXPECT_EQ(content(path), "fourth\n");
  EXPECT_EQ(content(path + ".tmp"), "stale");
  std::filesystem::remove(path + ".tmp");
  std::filesystem::remove(path);
  EXPECT_FALSE(write_file_durably("/nonexistent-dir/x", "x", 0600, Replace::kNever).is_ok());
}

}  // namespace
}  // namespace zg
