#include "pipeline/job_temp_dir.h"

#include <unistd.h>

#include <random>
#include <system_error>

#include "common/error.h"

namespace tgscribe::pipeline {
namespace fs = std::filesystem;

namespace {
constexpr const char* kPrefix = "job-";
}

JobTempDir::JobTempDir(fs::path data_dir) : root_(std::move(data_dir) / "tmp") {}

JobTempDir::~JobTempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

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
        path_ = candidate;
        return;
      }
    }
    // Thrown out of call_once: the flag stays unset, so a later call may try again.
    throw Error(ErrorKind::kInternal,
                "cannot create a temporary directory under " + root_.string());
  });
  return path_;
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

}  // namespace tgscribe::pipeline
