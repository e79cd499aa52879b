#pragma once
// A private directory for one job's temporary media (re-encoded uploads, chunks) under
// DATA_DIR/tmp, removed with everything in it when the job ends, however it ends. Audio is kept
// only as long as it is needed (privacy), and a crash leaves at most one directory behind,
// which the next start may sweep (sweep_stale).
#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>

#include "common/remove_on_exit.h"

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

  // Removes everything an earlier process left in DATA_DIR/tmp when it died mid-job (media,
  // upload documents, chunk directories): whatever is older than this process, except the job
  // directories of other live processes on the same DATA_DIR (a `tgscribe transcribe` run).
  // What this process already made is kept, so it may run while the outbox sends. Also makes
  // DATA_DIR/tmp private (0700). Returns the number of entries removed.
  static size_t sweep_leftovers(const std::filesystem::path& data_dir);

 private:
  std::filesystem::path root_;
  std::once_flag created_;  // parallel first calls must create one directory, not one each
  RemoveOnExit dir_;        // set once, by the first path() call
};

}  // namespace tgscribe::pipeline
