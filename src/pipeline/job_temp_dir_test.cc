#include "pipeline/job_temp_dir.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "support/test_util.h"

namespace tgscribe::pipeline {
namespace {

namespace fs = std::filesystem;

TEST(JobTempDir, CreatedOnDemandAndRemovedWithItsFiles) {
  tgscribe::testing::TempDir data;
  fs::path created;
  {
    JobTempDir idle(data.path());
    EXPECT_FALSE(fs::exists(data / "tmp"));  // nothing made for a job that needs no file
  }
  {
    JobTempDir job(data.path());
    created = job.path();
    EXPECT_EQ(created.parent_path(), data / "tmp");
    tgscribe::testing::write_file(job.file("piece-0.ogg"), "x");
    EXPECT_TRUE(fs::exists(created / "piece-0.ogg"));
    JobTempDir other(data.path());
    EXPECT_NE(other.path(), created);  // jobs never share a directory
  }
  EXPECT_FALSE(fs::exists(created));
  EXPECT_TRUE(fs::is_empty(data / "tmp"));
}

TEST(JobTempDir, SweepRemovesOnlyOldJobDirectories) {
  tgscribe::testing::TempDir data;
  fs::create_directories(data / "tmp" / "job-1-old");
  fs::create_directories(data / "tmp" / "job-2-new");
  fs::create_directories(data / "tmp" / "not-a-job");
  fs::last_write_time(data / "tmp" / "job-1-old",
                      fs::file_time_type::clock::now() - std::chrono::hours(48));
  fs::last_write_time(data / "tmp" / "not-a-job",
                      fs::file_time_type::clock::now() - std::chrono::hours(48));
  JobTempDir::sweep_stale(data.path(), std::chrono::hours(24));
  EXPECT_FALSE(fs::exists(data / "tmp" / "job-1-old"));
  EXPECT_TRUE(fs::exists(data / "tmp" / "job-2-new"));
  EXPECT_TRUE(fs::exists(data / "tmp" / "not-a-job"));
}

}  // namespace
}  // namespace tgscribe::pipeline
