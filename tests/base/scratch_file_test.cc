#include "base/scratch_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <istream>
#include <iterator>
#include <ostream>
#include <string>

namespace diamond {
namespace {

class ScratchFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() /
        ("scratch-file-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  bool DirIsEmpty() const { return std::filesystem::is_empty(dir_); }

  std::filesystem::path dir_;
};

TEST_F(ScratchFileTest, HasNoNameWhileOpenSoNothingOutlivesTheProcess) {
  ScratchFile file(dir_.string(), "diamond-batch-");
  ASSERT_TRUE(file.opened());
  // The name is gone at once: a kill -9 from here on leaves no file behind.
  EXPECT_TRUE(DirIsEmpty());
  EXPECT_EQ(file.where(), dir_.string());
}

TEST_F(ScratchFileTest, ReadsBackWhatWasWrittenAfterRewind) {
  ScratchFile file(dir_.string(), "x-");
  ASSERT_TRUE(file.opened());
  std::string written;
  for (int i = 0; i < 100000; ++i) written += "row " + std::to_string(i) + "\n";  // past any buffer
  {
    std::ostream out(&file.buffer());
    out << written;
    ASSERT_TRUE(out.flush());
  }
  ASSERT_TRUE(file.Rewind());
  std::istream in(&file.buffer());
  const std::string read((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(read, written);
  EXPECT_TRUE(DirIsEmpty());
}

TEST_F(ScratchFileTest, AMissingDirectoryIsReportedNotThrown) {
  ScratchFile file((dir_ / "missing").string(), "x-");
  EXPECT_FALSE(file.opened());
  EXPECT_EQ(file.where(), (dir_ / "missing").string());
}

}  // namespace
}  // namespace diamond
