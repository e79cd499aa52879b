#pragma once
// Process-level figures for /metrics, read from /proc (Linux only, like the deployment).
#include <cstdint>

namespace tgscribe::server {

// Resident set size in bytes; 0 when /proc is unavailable.
int64_t resident_memory_bytes();
// Number of open file descriptors; -1 when /proc is unavailable.
int open_fd_count();

}  // namespace tgscribe::server
