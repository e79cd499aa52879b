#pragma once
// Scheduling rules every JobQueue implementation shares, so memory, SQLite and Redis claim in
// the same order and report the same statistics.
#include <cstdint>
#include <string>
#include <vector>

#include "store/job.h"

namespace tgscribe::store {

struct QueueOptions {
  // Priority points a queued job gains per second of waiting. With 1.0 a job 1000 points
  // behind (long media, or a non-admin behind the admin boost) overtakes after ~17 minutes,
  // so nothing is starved however many short jobs keep arriving.
  double aging_per_s = 1.0;
  // first_time_update remembers ids this long (Telegram redelivers within hours at most).
  int64_t update_retention_ms = 3LL * 24 * 3600 * 1000;
  // Finished jobs are kept this long for /status and stats, then pruned.
  int64_t finished_retention_ms = 30LL * 24 * 3600 * 1000;
  // Wait/run percentiles are computed over this many most recently finished jobs.
  int stats_window = 1000;
};

// Lower runs sooner: priority minus the aging credit earned since the job was created.
double effective_priority(int64_t priority, int64_t created_ms, int64_t now_ms, double aging_per_s);

// Claim order between two queued jobs: effective priority, then age, then id.
bool claims_before(const Job& a, const Job& b, int64_t now_ms, double aging_per_s);

// Nearest-rank percentile (p in 0..100) of unsorted values; 0 when empty.
double percentile(std::vector<double> values, double p);

// A fresh job id: 16 random lower-case hex digits.
std::string new_job_id();

}  // namespace tgscribe::store
