#pragma once
// A file or directory that must not outlive the scope that made it (a temporary upload, a job's
// media directory, a test's scratch space): removed, with everything in it, however the scope
// ends (return, exception, stop), unless keep() said it is wanted after all. Removal errors are
// ignored: the sweeps at start-up (pipeline/job_temp_dir.h) catch what is left.
#include <filesystem>
#include <string>

namespace tgscribe {

class RemoveOnExit {
 public:
  RemoveOnExit() = default;  // guards nothing until a path is moved in
  explicit RemoveOnExit(std::filesystem::path path) : path_(std::move(path)) {}
  ~RemoveOnExit() { remove(); }

  RemoveOnExit(RemoveOnExit&& other) noexcept : path_(std::move(other.path_)) {
    other.path_.clear();
  }
  RemoveOnExit& operator=(RemoveOnExit&& other) noexcept;
  RemoveOnExit(const RemoveOnExit&) = delete;
  RemoveOnExit& operator=(const RemoveOnExit&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // The path is wanted after the scope (a completed download): it is no longer removed.
  void keep() { path_.clear(); }

  // Removes the path now (file or directory tree, if it exists) and guards nothing more.
  void remove();

 private:
  std::filesystem::path path_;
};

// Makes a new private (0700) directory "<parent>/<prefix>XXXXXX" with a random, unused suffix
// (mkdtemp) and guards it. Throws tgscribe::Error (kInternal) if it cannot be made.
RemoveOnExit make_temp_dir(const std::filesystem::path& parent, const std::string& prefix);

}  // namespace tgscribe
