#pragma once
// What a finished child process cost. Benches run what they measure in a child (fork, or
// exec of the binary) so that CPU time and peak RSS are that run's alone, read from wait4's
// rusage. No GoogleTest here: benches link it without the test framework (tgscribe_measure).
#include <sys/types.h>

#include <chrono>

namespace tgscribe::testing {

struct ChildUsage {
  double wall_s = 0;       // from `started` until it was reaped
  double cpu_s = 0;        // user + system
  double peak_rss_mb = 0;  // ru_maxrss
  bool ok = false;         // exited with status 0
};

// Waits for `pid` (started at `started`) and returns its usage.
ChildUsage wait_child(pid_t pid, std::chrono::steady_clock::time_point started);

}  // namespace tgscribe::testing
