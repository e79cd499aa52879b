#pragma once
// A private directory for one job's temporary media (re-encoded uploads, chunks) under
// DATA_DIR/tmp, removed with everything in it when the job ends, however it ends. Audio is kept
// only as long as it is needed (privacy), and a crash leaves at most one directory behind,
// which the next start may sweep (sweep_stale).
#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>

namespace tgscribe::pipeline {

class JobTempDir {
 public:
  // Nothing is created until path() or file() is first called. path() and file() are safe to
  // call from several threads at once (chunks are encoded in parallel).
  explicit JobTempDir(std::filesystem::path data_dir);
  ~JobTempDir();
  JobTempDir(const JobTempDir&) = delete;
  JobTempDir& operator=(const JobTempDir&) = delete;

  const std::filesystem::path& path();
  std::filesystem::path file(const std::string& name) { return path() / name; }

  // Removes job directories under DATA_DIR/tmp older than `age` (left by a killed process).
  static void sweep_stale(const std::filesystem::path& data_dir, std::chrono::seconds age);

 private:
  std::filesystem::path root_;
  std::once_flag created_;  // parallel first calls must create one directory, not one each
  std::filesystem::path path_;
};

}  // namespace tgscribe::pipeline
