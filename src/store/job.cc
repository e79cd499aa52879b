#include "store/job.h"

#include <stdexcept>

namespace tgscribe::store {

const char* to_string(JobState state) {
  switch (state) {
    case JobState::kQueued:
      return "queued";
    case JobState::kRunning:
      return "running";
    case JobState::kDelivered:
      return "delivered";
    case JobState::kFailed:
      return "failed";
    case JobState::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

JobState job_state_from_string(const std::string& s) {
  if (s == "queued") return JobState::kQueued;
  if (s == "running") return JobState::kRunning;
  if (s == "delivered") return JobState::kDelivered;
  if (s == "failed") return JobState::kFailed;
  if (s == "cancelled") return JobState::kCancelled;
  throw std::invalid_argument("unknown job state: " + s);
}

bool is_finished(JobState state) {
  return state == JobState::kDelivered || state == JobState::kFailed ||
         state == JobState::kCancelled;
}

}  // namespace tgscribe::store
