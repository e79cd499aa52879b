#include "common/remove_on_exit.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <stdexcept>

#include "common/error.h"
#include "support/test_util.h"

namespace tgscribe {
namespace {

namespace fs = std::filesystem;

void touch(const fs::path& p) { std::ofstream(p) << "x"; }

TEST(RemoveOnExit, RemovesAFileWhenTheScopeEnds) {
  testing::TempDir dir;
  fs::path file = dir / "upload.ogg";
  touch(file);
  {
    RemoveOnExit guard(file);
    EXPECT_TRUE(fs::exists(file));
  }
  EXPECT_FALSE(fs::exists(file));
}

TEST(RemoveOnExit, RemovesADirectoryTreeEvenWhenAnExceptionLeaves) {
  testing::TempDir dir;
  fs::path tree = dir / "job";
  fs::create_directories(tree / "chunks");
  touch(tree / "chunks" / "piece-1.flac");
  EXPECT_THROW(
      {
        RemoveOnExit guard(tree);
        throw std::runtime_error("engine down");
      },
      std::runtime_error);
  EXPECT_FALSE(fs::exists(tree));
  EXPECT_TRUE(fs::exists(dir.path()));  // only what it guards
}

TEST(RemoveOnExit, KeptPathsStay) {
  testing::TempDir dir;
  fs::path file = dir / "done.bin";
  touch(file);
  {
    RemoveOnExit guard(file);
    guard.keep();
    EXPECT_TRUE(guard.path().empty());
  }
  EXPECT_TRUE(fs::exists(file));
}

TEST(RemoveOnExit, AMissingPathOrNoPathIsNotAnError) {
  testing::TempDir dir;
  { RemoveOnExit guard(dir / "never-made"); }
  { RemoveOnExit nothing; }
  EXPECT_TRUE(fs::exists(dir.path()));
}

TEST(RemoveOnExit, MovingHandsTheDutyOver) {
  testing::TempDir dir;
  fs::path a = dir / "a";
  fs::path b = dir / "b";
  touch(a);
  touch(b);
  RemoveOnExit outer;
  {
    RemoveOnExit inner(a);
    outer = std::move(inner);  // the moved-from guard removes nothing when it ends
  }
  EXPECT_TRUE(fs::exists(a));
  outer = RemoveOnExit(b);  // replacing a guarded path removes it
  EXPECT_FALSE(fs::exists(a));
  EXPECT_TRUE(fs::exists(b));
  outer.remove();
  EXPECT_FALSE(fs::exists(b));
}

TEST(MakeTempDir, MakesAPrivateDirectoryRemovedWithItsGuard) {
  testing::TempDir parent;
  fs::path made;
  {
    RemoveOnExit dir = make_temp_dir(parent.path(), "scratch-");
    made = dir.path();
    ASSERT_TRUE(fs::is_directory(made));
    EXPECT_EQ(made.parent_path(), parent.path());
    EXPECT_EQ(made.filename().string().rfind("scratch-", 0), 0u);
    struct stat st {};
    ASSERT_EQ(::stat(made.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    touch(made / "clip.wav");
    RemoveOnExit other = make_temp_dir(parent.path(), "scratch-");
    EXPECT_NE(other.path(), made);
  }
  EXPECT_FALSE(fs::exists(made));
}

TEST(MakeTempDir, ThrowsWhenTheParentIsMissing) {
  testing::TempDir parent;
  EXPECT_THROW(make_temp_dir(parent / "no" / "such", "x-"), Error);
}

}  // namespace
}  // namespace tgscribe
