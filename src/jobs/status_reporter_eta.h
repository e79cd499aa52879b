#pragma once
// An honest estimate of when a job's transcript will be ready, for its status message: the
// jobs ahead of it in the queue (run by QUEUE_MAX_WORKERS at once) times how long recent jobs
// took (the queue's own p50 of run times, over every instance), plus the wait the engine's
// rate budget imposes (engine/pacer.h). No estimate is better than a made-up one: without
// finished jobs to measure and without a pacing wait, there is none.
#include <chrono>
#include <optional>
#include <string>

#include "i18n/i18n.h"

namespace tgscribe::jobs {

struct EtaInputs {
  int64_t ahead = 0;            // queued jobs that run before this one
  int workers = 1;              // jobs run at once
  double typical_job_s = 0;     // recent run time of one job (0: unknown)
  double this_job_left_s = -1;  // this job's own remaining time when it runs (-1: typical)
  double pacing_wait_s = 0;     // until the engine's budget lets its next request through
};

// Seconds until the transcript is expected, or nullopt when nothing is known.
std::optional<double> estimate_ready_s(const EtaInputs& in);

// "less than a minute", "3 min", "1 h 20 min" (and Indonesian): a wait, rounded up.
std::string format_wait(i18n::Lang lang, double seconds);

// "🕒 Ready in about 3 min." for the status message; "" without an estimate.
std::string eta_line(i18n::Lang lang, std::optional<double> seconds);

}  // namespace tgscribe::jobs
