#include "server/process_stats.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace tgscribe::server {

int64_t resident_memory_bytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t size_pages = 0, resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return 0;
  return resident_pages * static_cast<int64_t>(sysconf(_SC_PAGESIZE));
}

int open_fd_count() {
  std::error_code ec;
  std::filesystem::directory_iterator it("/proc/self/fd", ec);
  if (ec) return -1;
  int n = 0;
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) return -1;
    ++n;
  }
  return n - 1;  // the descriptor of the directory being listed
}

}  // namespace tgscribe::server
