#pragma once
// What an operator does to the job store from outside the bot (`tgscribe jobs`), while the bot
// runs on the same store: list and inspect jobs, put a failed or cancelled job back in the
// queue, cancel one, purge old finished ones. Each change is one transaction (SQLite) or one
// script (Redis), and keeps the claim rules of job_queue.h: a running job's lease and fence
// are never touched, and the fence (attempts) never goes back.
//
// Implementations: memory (tests), SQLite, Redis, built with the other job stores of the
// same backend (JobStores::admin); the typed suite job_admin_test.cc runs on all of them.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/job.h"
#include "store/outbox.h"

namespace tgscribe::store {

// A page is never longer than this, whatever the caller asks.
constexpr int kMaxJobListLimit = 1000;

struct JobListQuery {
  std::optional<JobState> state;  // nullopt: every state
  int limit = 50;                 // clamped to 1..kMaxJobListLimit
};

enum class RetryResult {
  kRequeued,      // queued again, runnable now
  kNotFound,      // no such job (never admitted, or purged)
  kNotRetryable,  // queued, running or delivered: nothing to retry
};

enum class CancelResult {
  kCancelled,      // it was queued: cancelled now (or by an earlier cancel)
  kStopRequested,  // it is running: its worker stops at its next safe point
  kFinished,       // delivered or failed already: nothing to cancel
  kNotFound,
};

struct PurgeResult {
  int64_t jobs = 0;     // finished jobs deleted
  int64_t entries = 0;  // their sent or dropped outbox entries deleted
};

// Jobs per batch of purge(): one short transaction or script each, so a large purge never
// holds the bot's writes up for long.
constexpr int kPurgeBatch = 500;

class JobAdmin {
 public:
  virtual ~JobAdmin() = default;

  // Newest first (created_ms, then id, descending), at most `query.limit` (clamped).
  virtual std::vector<Job> list(const JobListQuery& query) = 0;

  // A failed or cancelled job goes back to the queue, runnable at once, with a fresh retry
  // budget (budget_base = attempts) and no cancel request. Its sent and dropped outbox entries
  // are deleted, except the ids in `keep` (the status message, which later edits refer to):
  // the next run writes its final messages under the same ids, and they must be sent again.
  // Pending entries stay and go out. Not counted against the per-user limit: the operator
  // decided.
  virtual RetryResult retry(const std::string& job_id, const std::vector<std::string>& keep) = 0;

  // As the user's /cancel, for any user's job. Queued: cancelled, with `messages` (telling the
  // user) added to the outbox in the same transaction. Running: cancel_requested set; its
  // worker stops and tells the user itself. A job cancelled already answers kCancelled and
  // writes nothing.
  virtual CancelResult cancel(const std::string& job_id,
                              const std::vector<OutboxEntry>& messages) = 0;

  // Deletes the jobs that finished (delivered, failed, cancelled) more than `older_than` ago
  // by the store's clock, with their sent and dropped outbox entries; never a queued or
  // running job, nor a pending entry. Update records stay (they keep redelivered updates from
  // being admitted twice). Runs in batches of kPurgeBatch jobs.
  virtual PurgeResult purge(std::chrono::milliseconds older_than) = 0;
};

}  // namespace tgscribe::store
