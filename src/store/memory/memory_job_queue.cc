#include "store/memory/memory_job_queue.h"

#include <algorithm>
#include <unordered_set>

#include "store/job_store_rules.h"

namespace tgscribe::store {
namespace {

void end(Job& j, JobState state, int64_t now) {
  j.state = state;
  j.finished_ms = now;
  j.lease_until_ms = 0;
}

}  // namespace

std::optional<Job> MemoryJobQueue::claim(const std::string& worker_id,
                                         std::chrono::milliseconds lease) {
  MemoryJobState& s = *state_;
  std::lock_guard lock(s.mutex);
  int64_t now = s.clock.unix_ms();
  Job* best = nullptr;
  for (auto& [id, j] : s.jobs) {
    bool lease_expired = j.state == JobState::kRunning && j.lease_until_ms < now;
    // A dead worker's job that the user had cancelled is finished, not resumed.
    if (lease_expired && j.cancel_requested) {
      end(j, JobState::kCancelled, now);
      continue;
    }
    bool runnable = (j.state == JobState::kQueued && j.not_before_ms <= now) || lease_expired;
    if (runnable && (!best || claims_before(j, *best, now, s.options.aging_per_s))) best = &j;
  }
  if (!best) return std::nullopt;
  best->state = JobState::kRunning;
  best->attempts += 1;
  best->started_ms = now;
  best->lease_until_ms = now + lease.count();
  best->worker_id = worker_id;
  return *best;
}

Job* MemoryJobQueue::fenced(const std::string& job_id, int fence) {
  auto it = state_->jobs.find(job_id);
  if (it == state_->jobs.end()) return nullptr;
  Job& j = it->second;
  return j.state == JobState::kRunning && j.attempts == fence ? &j : nullptr;
}

bool MemoryJobQueue::heartbeat(const std::string& job_id, int fence,
                               std::chrono::milliseconds lease) {
  std::lock_guard lock(state_->mutex);
  Job* j = fenced(job_id, fence);
  if (!j) return false;
  j->lease_until_ms = state_->clock.unix_ms() + lease.count();
  return true;
}

bool MemoryJobQueue::finish(const std::string& job_id, int fence, const JobOutcome& outcome,
                            const std::vector<OutboxEntry>& messages) {
  check_outcome(outcome);
  check_entries(messages);
  MemoryJobState& s = *state_;
  std::lock_guard lock(s.mutex);
  Job* j = fenced(job_id, fence);
  if (!j) return false;
  int64_t now = s.clock.unix_ms();
  j->last_error = outcome.error;
  if (outcome.state == JobState::kQueued) {
    j->state = JobState::kQueued;
    j->not_before_ms = outcome.not_before_ms;
    if (outcome.deferred) j->budget_base += 1;
    j->lease_until_ms = 0;
    j->worker_id.clear();
  } else {
    end(*j, outcome.state, now);
  }
  s.add_entries(messages, now);
  s.withdraw_entry(outcome.withdraw, now);
  s.maybe_prune(now);
  return true;
}

int MemoryJobQueue::release_orphans(const std::string& worker_prefix) {
  MemoryJobState& s = *state_;
  std::lock_guard lock(s.mutex);
  int64_t now = s.clock.unix_ms();
  int n = 0;
  for (auto& [id, j] : s.jobs) {
    if (j.state != JobState::kRunning || !j.worker_id.starts_with(worker_prefix)) continue;
    ++n;
    if (j.cancel_requested) {
      end(j, JobState::kCancelled, now);
      continue;
    }
    // Queued (not a running job with a past lease): the dead claim's fence stops working
    // at once, not only after someone claims the job again.
    j.state = JobState::kQueued;
    j.not_before_ms = 0;
    j.lease_until_ms = 0;
  }
  return n;
}

bool MemoryJobQueue::cancel(const std::string& job_id, int64_t user_id) {
  MemoryJobState& s = *state_;
  std::lock_guard lock(s.mutex);
  auto it = s.jobs.find(job_id);
  if (it == s.jobs.end() || it->second.user_id != user_id) return false;
  Job& j = it->second;
  if (j.state == JobState::kQueued) {
    end(j, JobState::kCancelled, s.clock.unix_ms());
    return true;
  }
  if (j.state == JobState::kRunning) {
    j.cancel_requested = true;
    return true;
  }
  return false;
}

std::optional<Job> MemoryJobQueue::get(const std::string& job_id) {
  std::lock_guard lock(state_->mutex);
  auto it = state_->jobs.find(job_id);
  if (it == state_->jobs.end()) return std::nullopt;
  return it->second;
}

std::vector<Job> MemoryJobQueue::user_jobs(int64_t user_id, bool unfinished_only) {
  std::lock_guard lock(state_->mutex);
  std::vector<Job> out;
  for (const auto& [id, j] : state_->jobs) {
    if (j.user_id == user_id && (!unfinished_only || !is_finished(j.state))) out.push_back(j);
  }
  std::sort(out.begin(), out.end(), [](const Job& a, const Job& b) {
    return a.created_ms != b.created_ms ? a.created_ms < b.created_ms : a.id < b.id;
  });
  return out;
}

int MemoryJobQueue::position(const std::string& job_id) {
  MemoryJobState& s = *state_;
  std::lock_guard lock(s.mutex);
  auto it = s.jobs.find(job_id);
  if (it == s.jobs.end() || it->second.state != JobState::kQueued) return 0;
  int64_t now = s.clock.unix_ms();
  int ahead = 0;
  for (const auto& [id, j] : s.jobs) {
    if (j.state == JobState::kQueued && id != job_id &&
        claims_before(j, it->second, now, s.options.aging_per_s)) {
      ++ahead;
    }
  }
  return ahead + 1;
}

QueueStats MemoryJobQueue::stats() {
  MemoryJobState& s = *state_;
  std::lock_guard lock(s.mutex);
  QueueStats st;
  std::vector<const Job*> finished;
  for (const auto& [id, j] : s.jobs) {
    switch (j.state) {
      case JobState::kQueued:
        ++st.queued;
        break;
      case JobState::kRunning:
        ++st.running;
        break;
      case JobState::kDelivered:
        ++st.delivered;
        break;
      case JobState::kFailed:
        ++st.failed;
        break;
      case JobState::kCancelled:
        ++st.cancelled;
        break;
    }
    st.retries += std::max(0, j.attempts - 1);
    // Cache hits (admitted delivered, never started) have no wait or run time.
    if ((j.state == JobState::kDelivered || j.state == JobState::kFailed) && j.started_ms > 0) {
      finished.push_back(&j);
    }
  }
  std::sort(finished.begin(), finished.end(),
            [](const Job* a, const Job* b) { return a->finished_ms > b->finished_ms; });
  if (static_cast<int>(finished.size()) > s.options.stats_window) {
    finished.resize(s.options.stats_window);
  }
  std::vector<double> waits, runs;
  for (const Job* j : finished) {
    waits.push_back(static_cast<double>(j->started_ms - j->created_ms));
    runs.push_back(static_cast<double>(j->finished_ms - j->started_ms));
  }
  set_duration_percentiles(st, waits, runs);
  return st;
}

void MemoryJobQueue::forget_user(int64_t user_id) {
  MemoryJobState& s = *state_;
  std::lock_guard lock(s.mutex);
  std::unordered_set<std::string> forgotten;
  std::erase_if(s.jobs, [&](const auto& kv) {
    const Job& j = kv.second;
    if (j.user_id != user_id || !is_finished(j.state)) return false;
    forgotten.insert(kv.first);
    return true;
  });
  // What was already said to the user holds their transcripts too; pending entries still
  // have to go out.
  std::erase_if(s.outbox, [&](const auto& kv) {
    return kv.second.state != OutboxState::kPending && forgotten.count(kv.second.job_id);
  });
}

}  // namespace tgscribe::store
