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
// What a killed process left (older than this one) goes, whatever its name; what this process
// made, and the job directory of another live process, stay.
TEST(JobTempDir, SweepLeftoversRemovesWhatEarlierProcessesLeft) {
  tgscribe::testing::TempDir data;
  fs::path tmp = data / "tmp";
  auto before_start = fs::file_time_type::clock::now() - std::chrono::hours(1);
  auto left = [&](const fs::path& p, bool dir) {
    if (dir) {
      fs::create_directories(p);
      tgscribe::testing::write_file(p / "chunk-0.flac", "audio");
    } else {
      fs::create_directories(p.parent_path());
      tgscribe::testing::write_file(p, "audio");
    }
    fs::last_write_time(p, before_start);
  };
  left(tmp / "job-99999999-0123456789abcdef", true);  // no such process
  left(tmp / "out-job-7-doc", true);
  left(tmp / "job-42.ogg", false);
  left(tmp / "job-1-0123456789abcdef", true);  // pid 1 runs: another live process's job
  fs::create_symlink("/etc/passwd", tmp / "job-link");
  fs::permissions(tmp, fs::perms::all, fs::perm_options::replace);
  JobTempDir mine(data.path());
  fs::path own = mine.path();  // made after this process started: kept

  EXPECT_EQ(JobTempDir::sweep_leftovers(data.path()), 4u);
  std::set<std::string> rest;
  for (const auto& e : fs::directory_iterator(tmp)) rest.insert(e.path().filename().string());
  EXPECT_EQ(rest, (std::set<std::string>{"job-1-0123456789abcdef", own.filename().string()}));
  EXPECT_TRUE(fs::exists("/etc/passwd"));
  EXPECT_EQ(fs::status(tmp).permissions(), fs::perms::owner_all);
  EXPECT_EQ(JobTempDir::sweep_leftovers(data / "absent"), 0u);
}

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
