#include "jobs/instance_id.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "common/strings.h"

namespace tgscribe::jobs {

std::string instance_id(const std::string& data_dir) {
  namespace fs = std::filesystem;
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  fs::path file = fs::path(data_dir) / "instance-id";
  {
    std::ifstream in(file);
    std::string id;
    if (in && std::getline(in, id) && !trim(id).empty()) return trim(id);
  }
  std::random_device rd;
  char suffix[16];
  snprintf(suffix, sizeof(suffix), "%08x", static_cast<unsigned>(rd()));
  std::string id = std::string(host) + "-" + suffix;
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  fs::path tmp = file;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << id << "\n";
    if (!out) return std::string(host) + "-" + std::to_string(getpid());
  }
  fs::rename(tmp, file, ec);
  if (ec) return std::string(host) + "-" + std::to_string(getpid());
  return id;
}

}  // namespace tgscribe::jobs
