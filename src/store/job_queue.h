#pragma once
// Durable job queue. Implementations: memory (tests, single process), SQLite (default,
// durable across kill -9), Redis (shared by many instances). One typed test suite
// (job_queue_test.cc) runs against all of them.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/job.h"

namespace tgscribe::store {

struct EnqueueResult {
  bool accepted = false;
  int unfinished = 0;  // the user's queued+running jobs (after enqueue when accepted)
};

struct QueueStats {
  int64_t queued = 0;
  int64_t running = 0;
  int64_t delivered = 0;
  int64_t failed = 0;
  int64_t cancelled = 0;
  int64_t retries = 0;  // claims beyond the first, over all jobs
  // Percentiles over recently finished jobs, milliseconds (0 when none).
  double wait_p50_ms = 0, wait_p95_ms = 0;
  double run_p50_ms = 0, run_p95_ms = 0;
};

class JobQueue {
 public:
  virtual ~JobQueue() = default;

  // Atomically: refuses when the user already has `per_user_limit` unfinished jobs
  // (limit <= 0: no limit), else stores the job as queued. Durable when it returns.
  virtual EnqueueResult enqueue(const Job& job, int per_user_limit) = 0;

  // Takes the runnable queued job with the lowest effective priority (priority minus aging),
  // or a running job whose lease expired (its worker died); marks it running for `worker_id`
  // with a lease, attempts+1. nullopt when nothing is runnable.
  virtual std::optional<Job> claim(const std::string& worker_id,
                                   std::chrono::milliseconds lease) = 0;
  // Extends the lease of a running job; false when the job is no longer ours/running.
  virtual bool heartbeat(const std::string& job_id, const std::string& worker_id,
                         std::chrono::milliseconds lease) = 0;

  virtual void mark_delivered(const std::string& job_id) = 0;
  // retry: back to queued, not before `not_before_ms`; else failed for good.
  virtual void mark_failed(const std::string& job_id, const std::string& error, bool retry,
                           int64_t not_before_ms) = 0;
  // Queued: cancelled at once (true). Running: cancel_requested set, the worker stops at the
  // next safe point (true). Finished or not this user's: false.
  virtual bool cancel(const std::string& job_id, int64_t user_id) = 0;
  virtual void mark_cancelled(const std::string& job_id) = 0;

  virtual std::optional<Job> get(const std::string& job_id) = 0;
  // Saves the payload of an existing job (e.g. the status message id once it is known).
  virtual void update_payload(const std::string& job_id, const std::string& payload) = 0;
  virtual std::vector<Job> user_jobs(int64_t user_id, bool unfinished_only) = 0;
  // 1-based place among queued jobs in claim order; 0 when not queued.
  virtual int position(const std::string& job_id) = 0;
  virtual QueueStats stats() = 0;

  // Delivery idempotence: marks step (e.g. "text:0", "file:srt") of a job as done. Returns
  // true only for the first caller, so a job re-run after a crash skips what was sent.
  virtual bool mark_step(const std::string& job_id, const std::string& step) = 0;
  virtual bool step_done(const std::string& job_id, const std::string& step) = 0;

  // Update de-duplication (webhook redelivery, polling restarts): true the first time.
  virtual bool first_time_update(int64_t update_id) = 0;

  // /forget: removes the user's finished jobs and their payloads.
  virtual void forget_user(int64_t user_id) = 0;
  // True when the backing store answers (for /readyz).
  virtual bool healthy() = 0;
};

}  // namespace tgscribe::store
