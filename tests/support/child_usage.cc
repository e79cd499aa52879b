#include "support/child_usage.h"

#include <sys/resource.h>
#include <sys/wait.h>

namespace tgscribe::testing {

ChildUsage wait_child(pid_t pid, std::chrono::steady_clock::time_point started) {
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  ChildUsage u;
  u.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  u.cpu_s = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
            static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  u.peak_rss_mb = static_cast<double>(ru.ru_maxrss) / 1024.0;
  u.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return u;
}

}  // namespace tgscribe::testing
