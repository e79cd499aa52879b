#include "pipeline/job_temp_dir.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <random>
#include <system_error>

#include "common/error.h"

namespace tgscribe::pipeline {
namespace fs = std::filesystem;

namespace {
constexpr const char* kPrefix = "job-";

// Taken during static initialisation, before this process can have made anything in tmp.
const fs::file_time_type kProcessStart = fs::file_time_type::clock::now();

// A JobTempDir of another process that is still running ("job-<pid>-<random>").
bool live_job_dir_of_another_process(const fs::directory_entry& entry) {
  std::string name = entry.path().filename().string();
  if (name.rfind(kPrefix, 0) != 0) return false;
  size_t dash = name.find('-', 4);
  if (dash == std::string::npos || dash == 4) return false;
  std::string digits = name.substr(4, dash - 4);
  if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 9) {
    return false;
  }
  std::error_code ec;
  if (!entry.is_directory(ec)) return false;
  pid_t pid = static_cast<pid_t>(std::stol(digits));
  if (pid == ::getpid()) return false;
  return ::kill(pid, 0) == 0 || errno == EPERM;
}
}  // namespace

JobTempDir::JobTempDir(fs::path data_dir) : root_(data_dir / "tmp") {}

JobTempDir::~JobTempDir() = default;  // dir_ removes the directory

const fs::path& JobTempDir::path() {
  std::call_once(created_, [this] {
    std::error_code ec;
    fs::create_directories(root_, ec);
    std::random_device rd;
    for (int attempt = 0; attempt < 16; ++attempt) {
      char name[48];
      snprintf(name, sizeof name, "%s%d-%08x%08x", kPrefix, static_cast<int>(::getpid()), rd(),
               rd());
      fs::path candidate = root_ / name;
      if (fs::create_directory(candidate, ec) && !ec) {
        fs::permissions(candidate, fs::perms::owner_all, fs::perm_options::replace, ec);
        dir_ = RemoveOnExit(candidate);
        return;
      }
    }
    // Thrown out of call_once: the flag stays unset, so a later call may try again.
    throw Error(ErrorKind::kInternal,
                "cannot create a temporary directory under " + root_.string());
  });
  return dir_.path();
}

void JobTempDir::sweep_stale(const fs::path& data_dir, std::chrono::seconds age) {
  std::error_code ec;
  fs::path root = data_dir / "tmp";
  if (!fs::is_directory(root, ec)) return;
  const auto cutoff = fs::file_time_type::clock::now() - age;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    if (entry.path().filename().string().rfind(kPrefix, 0) != 0) continue;
    std::error_code e2;
    if (entry.is_directory(e2) && entry.last_write_time(e2) < cutoff) fs::remove_all(entry, e2);
  }
}

size_t JobTempDir::sweep_leftovers(const fs::path& data_dir) {
  std::error_code ec;
  fs::path root = data_dir / "tmp";
  if (!fs::is_directory(root, ec)) return 0;
  fs::permissions(root, fs::perms::owner_all, fs::perm_options::replace, ec);
  size_t removed = 0;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    std::error_code e2;
    auto written = entry.symlink_status(e2).type() == fs::file_type::symlink
                       ? fs::file_time_type::min()  // a link is never ours: remove the link
                       : entry.last_write_time(e2);
    if (e2 || written >= kProcessStart || live_job_dir_of_another_process(entry)) continue;
    if (fs::remove_all(entry.path(), e2) > 0 && !e2) ++removed;
  }
  return removed;
}

}  // namespace tgscribe::pipeline
