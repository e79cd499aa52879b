#pragma once
// Durable job queue: claims with a lease and a fencing token, and the one transaction that
// ends a claim. Jobs enter only through UpdateLog::admit. Implementations: memory (tests, one
// process), SQLite (default, durable across kill -9), Redis (shared by many instances); one
// typed suite (job_queue_test.cc) runs on all of them.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/job.h"
#include "store/outbox.h"

namespace tgscribe::store {

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

// How a claim ends.
struct JobOutcome {
  // kDelivered, kFailed, kCancelled: finished for good. kQueued: back to the queue, claimable
  // from `not_before_ms` (a retry after a backoff, or a shutdown: now).
  JobState state = JobState::kDelivered;
  std::string error;
  int64_t not_before_ms = 0;
  // kQueued only: the job waits for an engine's rate budget (a pacing deferral), which is not
  // a try. The claim is given back to the retry budget (budget_base + 1, in the same
  // transaction), so a job deferred again and again while the budget is spent is not given
  // up. Only an orderly finish can say so: a claim that dies with its worker still counts.
  bool deferred = false;
  // An entry of the job that its end makes unnecessary (the status reply, written at
  // admission due only after STATUS_DELAY_MS): dropped in the same transaction when it is
  // still pending, never tried and not due yet, so no dispatcher can be sending it. A due or
  // sent one is left as it is. "" = none.
  std::string withdraw;
};

class JobQueue {
 public:
  virtual ~JobQueue() = default;

  // Takes the runnable queued job with the lowest effective priority (priority minus aging),
  // or a running job whose lease passed (its worker died); marks it running for `worker_id`
  // with a lease, attempts+1 (the new attempts value is the claim's fence). A job claimed
  // too often is still handed out: the worker fails it with a message, without working on
  // it. nullopt when nothing is runnable.
  virtual std::optional<Job> claim(const std::string& worker_id,
                                   std::chrono::milliseconds lease) = 0;
  // Extends the lease of a claim; false when the job is no longer running under this fence
  // (the claim is lost: the worker stops and writes nothing more).
  virtual bool heartbeat(const std::string& job_id, int fence, std::chrono::milliseconds lease) = 0;
  // Ends a claim: when the job is still running under `fence`, applies `outcome` and adds
  // `messages` to the outbox, in one transaction, and returns true. Otherwise writes nothing
  // and returns false.
  virtual bool finish(const std::string& job_id, int fence, const JobOutcome& outcome,
                      const std::vector<OutboxEntry>& messages) = 0;
  // Running jobs last claimed by workers whose id starts with `worker_prefix` (this instance
  // before a restart) become claimable now instead of when their lease ends. Returns how many.
  virtual int release_orphans(const std::string& worker_prefix) = 0;

  // Queued: cancelled at once (true). Running: cancel_requested set, the worker stops at the
  // next safe point (true). Finished or not this user's: false.
  virtual bool cancel(const std::string& job_id, int64_t user_id) = 0;

  virtual std::optional<Job> get(const std::string& job_id) = 0;
  virtual std::vector<Job> user_jobs(int64_t user_id, bool unfinished_only) = 0;
  // 1-based place among queued jobs in claim order; 0 when not queued.
  virtual int position(const std::string& job_id) = 0;
  virtual QueueStats stats() = 0;

  // /forget: removes the user's finished jobs and their payloads.
  virtual void forget_user(int64_t user_id) = 0;
  // True when the backing store answers (for /readyz).
  virtual bool healthy() = 0;
};

}  // namespace tgscribe::store
