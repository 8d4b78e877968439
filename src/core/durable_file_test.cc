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
  const Status again = write_file_durably(path, "second\n", 0600, Replace::kNever);
  EXPECT_FALSE(again.is_ok());
  EXPECT_NE(again.first().message.find("exists"), std::string::npos);
  EXPECT_EQ(content(path), "first\n");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  ASSERT_TRUE(write_file_durably(path, "third\n", 0644, Replace::kAllowed).is_ok());
  EXPECT_EQ(content(path), "third\n");
  // A stale partial file from a crash is not in the way.
  std::ofstream(path + ".tmp") << "stale";
  ASSERT_TRUE(write_file_durably(path, "fourth\n", 0644, Replace::kAllowed).is_ok());
  EXPECT_EQ(content(path), "fourth\n");
  std::filesystem::remove(path);
  EXPECT_FALSE(write_file_durably("/nonexistent-dir/x", "x", 0600, Replace::kNever).is_ok());
}

}  // namespace
}  // namespace zg
