#include "pipeline/job_temp_dir.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

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

namespace tgscribe::pipeline {
namespace {

// Chunks are encoded in parallel, each asking for its file: the first calls race to create the
// directory, and all of them must get the same one (none left behind when the job ends).
TEST(JobTempDir, ParallelFirstCallsShareOneDirectory) {
  testing::TempDir data;
  for (int round = 0; round < 20; ++round) {
    std::set<std::filesystem::path> parents;
    {
      JobTempDir job(data.path());
      std::mutex mutex;
      std::atomic<bool> go{false};
      std::vector<std::thread> threads;
      for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
          while (!go.load()) {
          }
          auto f = job.file("piece-" + std::to_string(t));
          std::lock_guard lock(mutex);
          parents.insert(f.parent_path());
        });
      }
      go = true;
      for (auto& th : threads) th.join();
    }
    EXPECT_EQ(parents.size(), 1u) << "round " << round;
    EXPECT_TRUE(std::filesystem::is_empty(data.path() / "tmp")) << "round " << round;
  }
}

}  // namespace
}  // namespace tgscribe::pipeline
