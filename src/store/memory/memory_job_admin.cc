#include "store/memory/memory_job_admin.h"

#include <algorithm>
#include <unordered_set>

#include "store/job_store_rules.h"

namespace tgscribe::store {

std::vector<Job> MemoryJobAdmin::list(const JobListQuery& query) {
  std::lock_guard lock(state_->mutex);
  std::vector<Job> out;
  for (const auto& [id, j] : state_->jobs) {
    if (!query.state || j.state == *query.state) out.push_back(j);
  }
  std::sort(out.begin(), out.end(), [](const Job& a, const Job& b) {
    return a.created_ms != b.created_ms ? a.created_ms > b.created_ms : a.id > b.id;
  });
  out.resize(std::min(out.size(), static_cast<size_t>(clamp_list_limit(query.limit))));
  return out;
}

RetryResult MemoryJobAdmin::retry(const std::string& job_id, const std::vector<std::string>& keep) {
  MemoryJobState& s = *state_;
  std::lock_guard lock(s.mutex);
  auto it = s.jobs.find(job_id);
  if (it == s.jobs.end()) return RetryResult::kNotFound;
  Job& j = it->second;
  if (j.state != JobState::kFailed && j.state != JobState::kCancelled) {
    return RetryResult::kNotRetryable;
  }
  requeue_for_retry(j);
  std::unordered_set<std::string> kept(keep.begin(), keep.end());
  std::erase_if(s.outbox, [&](const auto& kv) {
    const OutboxEntry& e = kv.second;
    return e.job_id == job_id && e.state != OutboxState::kPending && !kept.count(e.id);
  });
  return RetryResult::kRequeued;
}

CancelResult MemoryJobAdmin::cancel(const std::string& job_id,
                                    const std::vector<OutboxEntry>& messages) {
  check_entries(messages);
  MemoryJobState& s = *state_;
  std::lock_guard lock(s.mutex);
  auto it = s.jobs.find(job_id);
  if (it == s.jobs.end()) return CancelResult::kNotFound;
  Job& j = it->second;
  int64_t now = s.clock.unix_ms();
  switch (j.state) {
    case JobState::kQueued:
      j.state = JobState::kCancelled;
      j.finished_ms = now;
      j.last_error = kCancelledByOperator;
      s.add_entries(messages, now);
      return CancelResult::kCancelled;
    case JobState::kRunning:
      j.cancel_requested = true;
      return CancelResult::kStopRequested;
    case JobState::kCancelled:
      return CancelResult::kCancelled;
    default:
      return CancelResult::kFinished;
  }
}

PurgeResult MemoryJobAdmin::purge(std::chrono::milliseconds older_than) {
  MemoryJobState& s = *state_;
  std::lock_guard lock(s.mutex);
  int64_t cutoff = s.clock.unix_ms() - older_than.count();
  PurgeResult r;
  std::unordered_set<std::string> purged;
  std::erase_if(s.jobs, [&](const auto& kv) {
    if (!purgeable(kv.second, cutoff)) return false;
    purged.insert(kv.first);
    return true;
  });
  r.jobs = static_cast<int64_t>(purged.size());
  r.entries = static_cast<int64_t>(std::erase_if(s.outbox, [&](const auto& kv) {
    return kv.second.state != OutboxState::kPending && purged.count(kv.second.job_id);
  }));
  return r;
}

}  // namespace tgscribe::store
