#pragma once
// A job as the queue stores it. The queue understands only the scheduling fields; everything
// the worker needs to do the work (chat, file id, names ...) travels in `payload`, a JSON
// object that jobs/ owns.
//
// The life of a job (docs/architecture.md draws it):
//   admitted (UpdateLog::admit) -> queued -> running (JobQueue::claim, a lease and a fence)
//     -> delivered | failed | cancelled (JobQueue::finish, which also writes the messages the
//        job leaves behind into the outbox, in the same transaction)
//     -> queued again (finish with kQueued: retry after a backoff, or shutdown; or a pacing
//        deferral, which does not count against the retry budget)
// A cache hit is admitted already delivered, its messages written with it.
#include <cstdint>
#include <string>

namespace tgscribe::store {

enum class JobState { kQueued, kRunning, kDelivered, kFailed, kCancelled };

const char* to_string(JobState state);
JobState job_state_from_string(const std::string& s);  // throws std::invalid_argument
bool is_finished(JobState state);

struct Job {
  std::string id;         // derived from what admitted it ("u<update_id>"), unique
  int64_t update_id = 0;  // the update that admitted it (0: none)
  int64_t user_id = 0;    // the per-user limit counts unfinished jobs by this
  int64_t chat_id = 0;
  // Lower runs sooner. Derived from the media duration (short first) and the admin boost;
  // the queue adds aging so a long file is never starved.
  int64_t priority = 0;
  JobState state = JobState::kQueued;
  // Times it was claimed, crashes included. It is also the claim's fencing token: every claim
  // increments it, and every write a worker makes for its claim (heartbeat, finish) names the
  // value it was given, so a worker that lost its claim can change nothing.
  int attempts = 0;
  // Claims that do not count against QUEUE_MAX_RETRIES: those made before an operator put the
  // job back in the queue (`tgscribe jobs retry`), and those that ended in a pacing deferral
  // (JobOutcome::deferred). The fence never goes back, so a fresh budget is
  // `attempts - budget_base`, not a reset of attempts.
  int budget_base = 0;
  int64_t created_ms = 0;  // unix ms
  int64_t started_ms = 0;  // last claim
  int64_t finished_ms = 0;
  int64_t not_before_ms = 0;   // retry backoff: not claimed before this
  int64_t lease_until_ms = 0;  // a running job whose lease passed is claimed again
  bool cancel_requested = false;
  std::string last_error;
  std::string worker_id;  // "<instance>-w<n>" of the last claim
  std::string payload;    // JSON owned by jobs/
};

}  // namespace tgscribe::store
