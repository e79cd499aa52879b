#pragma once
// A job as the queue stores it. The queue understands only the scheduling fields; everything
// the bot needs to do the work (chat, file id, names, status message ...) travels in
// `payload`, a JSON object the bot owns.
#include <cstdint>
#include <string>

namespace tgscribe::store {

enum class JobState { kQueued, kRunning, kDelivered, kFailed, kCancelled };

const char* to_string(JobState state);
JobState job_state_from_string(const std::string& s);  // throws std::invalid_argument

struct Job {
  std::string id;       // short random hex, unique
  int64_t user_id = 0;  // the per-user limit counts unfinished jobs by this
  int64_t chat_id = 0;
  // Lower runs sooner. The bot derives it from the media duration (short first) and the
  // admin boost; the queue adds aging so a long file is never starved.
  int64_t priority = 0;
  JobState state = JobState::kQueued;
  int attempts = 0;        // times it was claimed
  int64_t created_ms = 0;  // unix ms
  int64_t started_ms = 0;  // last claim
  int64_t finished_ms = 0;
  int64_t not_before_ms = 0;   // retry backoff: not claimed before this
  int64_t lease_until_ms = 0;  // a running job whose lease passed is claimed again
  bool cancel_requested = false;
  std::string last_error;
  std::string worker_id;
  std::string payload;  // JSON owned by the bot
};

}  // namespace tgscribe::store
