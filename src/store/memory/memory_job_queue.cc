#include "store/memory/memory_job_queue.h"

#include <algorithm>
#include <stdexcept>

namespace tgscribe::store {

MemoryJobQueue::MemoryJobQueue(Clock& clock, QueueOptions options)
    : clock_(clock), options_(options) {}

EnqueueResult MemoryJobQueue::enqueue(const Job& job, int per_user_limit) {
  if (job.id.empty()) throw std::invalid_argument("enqueue: job id is empty");
  std::lock_guard lock(mutex_);
  int unfinished_count = 0;
  for (const auto& [id, j] : jobs_) {
    if (j.user_id == job.user_id && unfinished(j)) ++unfinished_count;
  }
  // Re-enqueueing an id that exists is a redelivered update: accepted, nothing changes.
  if (jobs_.count(job.id)) return {true, unfinished_count};
  if (per_user_limit > 0 && unfinished_count >= per_user_limit) return {false, unfinished_count};
  Job j = job;
  j.state = JobState::kQueued;
  j.attempts = 0;
  if (j.created_ms == 0) j.created_ms = clock_.unix_ms();
  j.started_ms = j.finished_ms = j.lease_until_ms = 0;
  j.cancel_requested = false;
  j.worker_id.clear();
  jobs_.emplace(j.id, std::move(j));
  return {true, unfinished_count + 1};
}

std::optional<Job> MemoryJobQueue::claim(const std::string& worker_id,
                                         std::chrono::milliseconds lease) {
  std::lock_guard lock(mutex_);
  int64_t now = clock_.unix_ms();
  Job* best = nullptr;
  for (auto& [id, j] : jobs_) {
    bool lease_expired = j.state == JobState::kRunning && j.lease_until_ms < now;
    // A dead worker's job that the user had cancelled is finished, not resumed.
    if (lease_expired && j.cancel_requested) {
      finish(j, JobState::kCancelled);
      continue;
    }
    bool runnable = (j.state == JobState::kQueued && j.not_before_ms <= now) || lease_expired;
    if (runnable && (!best || claims_before(j, *best, now, options_.aging_per_s))) best = &j;
  }
  if (!best) return std::nullopt;
  best->state = JobState::kRunning;
  best->attempts += 1;
  best->started_ms = now;
  best->lease_until_ms = now + lease.count();
  best->worker_id = worker_id;
  return *best;
}

bool MemoryJobQueue::heartbeat(const std::string& job_id, const std::string& worker_id,
                               std::chrono::milliseconds lease) {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(job_id);
  if (it == jobs_.end() || it->second.state != JobState::kRunning ||
      it->second.worker_id != worker_id) {
    return false;
  }
  it->second.lease_until_ms = clock_.unix_ms() + lease.count();
  return true;
}

void MemoryJobQueue::finish(Job& j, JobState state) {
  j.state = state;
  j.finished_ms = clock_.unix_ms();
  j.lease_until_ms = 0;
}

void MemoryJobQueue::prune_finished(int64_t now) {
  std::set<std::string> pruned;
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    const Job& j = it->second;
    if (!unfinished(j) && j.finished_ms + options_.finished_retention_ms < now) {
      pruned.insert(it->first);
      it = jobs_.erase(it);
    } else {
      ++it;
    }
  }
  if (!pruned.empty()) std::erase_if(steps_, [&](const auto& s) { return pruned.count(s.first); });
}

void MemoryJobQueue::mark_delivered(const std::string& job_id) {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(job_id);
  if (it == jobs_.end()) return;
  finish(it->second, JobState::kDelivered);
  prune_finished(clock_.unix_ms());
}

void MemoryJobQueue::mark_failed(const std::string& job_id, const std::string& error, bool retry,
                                 int64_t not_before_ms) {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(job_id);
  if (it == jobs_.end()) return;
  Job& j = it->second;
  j.last_error = error;
  if (retry) {
    j.state = JobState::kQueued;
    j.not_before_ms = not_before_ms;
    j.lease_until_ms = 0;
    j.worker_id.clear();
  } else {
    finish(j, JobState::kFailed);
  }
}

bool MemoryJobQueue::cancel(const std::string& job_id, int64_t user_id) {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(job_id);
  if (it == jobs_.end() || it->second.user_id != user_id) return false;
  Job& j = it->second;
  if (j.state == JobState::kQueued) {
    finish(j, JobState::kCancelled);
    return true;
  }
  if (j.state == JobState::kRunning) {
    j.cancel_requested = true;
    return true;
  }
  return false;
}

void MemoryJobQueue::mark_cancelled(const std::string& job_id) {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(job_id);
  if (it != jobs_.end()) finish(it->second, JobState::kCancelled);
}

std::optional<Job> MemoryJobQueue::get(const std::string& job_id) {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(job_id);
  if (it == jobs_.end()) return std::nullopt;
  return it->second;
}

void MemoryJobQueue::update_payload(const std::string& job_id, const std::string& payload) {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(job_id);
  if (it != jobs_.end()) it->second.payload = payload;
}

std::vector<Job> MemoryJobQueue::user_jobs(int64_t user_id, bool unfinished_only) {
  std::lock_guard lock(mutex_);
  std::vector<Job> out;
  for (const auto& [id, j] : jobs_) {
    if (j.user_id == user_id && (!unfinished_only || unfinished(j))) out.push_back(j);
  }
  std::sort(out.begin(), out.end(), [](const Job& a, const Job& b) {
    return a.created_ms != b.created_ms ? a.created_ms < b.created_ms : a.id < b.id;
  });
  return out;
}

int MemoryJobQueue::position(const std::string& job_id) {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(job_id);
  if (it == jobs_.end() || it->second.state != JobState::kQueued) return 0;
  int64_t now = clock_.unix_ms();
  int ahead = 0;
  for (const auto& [id, j] : jobs_) {
    if (j.state == JobState::kQueued && id != job_id &&
        claims_before(j, it->second, now, options_.aging_per_s)) {
      ++ahead;
    }
  }
  return ahead + 1;
}

QueueStats MemoryJobQueue::stats() {
  std::lock_guard lock(mutex_);
  QueueStats s;
  std::vector<const Job*> finished;
  for (const auto& [id, j] : jobs_) {
    switch (j.state) {
      case JobState::kQueued:
        ++s.queued;
        break;
      case JobState::kRunning:
        ++s.running;
        break;
      case JobState::kDelivered:
        ++s.delivered;
        break;
      case JobState::kFailed:
        ++s.failed;
        break;
      case JobState::kCancelled:
        ++s.cancelled;
        break;
    }
    s.retries += std::max(0, j.attempts - 1);
    if ((j.state == JobState::kDelivered || j.state == JobState::kFailed) && j.started_ms > 0) {
      finished.push_back(&j);
    }
  }
  std::sort(finished.begin(), finished.end(),
            [](const Job* a, const Job* b) { return a->finished_ms > b->finished_ms; });
  if (static_cast<int>(finished.size()) > options_.stats_window) {
    finished.resize(options_.stats_window);
  }
  std::vector<double> waits, runs;
  for (const Job* j : finished) {
    waits.push_back(static_cast<double>(j->started_ms - j->created_ms));
    runs.push_back(static_cast<double>(j->finished_ms - j->started_ms));
  }
  s.wait_p50_ms = percentile(waits, 50);
  s.wait_p95_ms = percentile(waits, 95);
  s.run_p50_ms = percentile(runs, 50);
  s.run_p95_ms = percentile(runs, 95);
  return s;
}

bool MemoryJobQueue::mark_step(const std::string& job_id, const std::string& step) {
  std::lock_guard lock(mutex_);
  return steps_.emplace(job_id, step).second;
}

bool MemoryJobQueue::step_done(const std::string& job_id, const std::string& step) {
  std::lock_guard lock(mutex_);
  return steps_.count({job_id, step}) > 0;
}

bool MemoryJobQueue::first_time_update(int64_t update_id) {
  std::lock_guard lock(mutex_);
  int64_t now = clock_.unix_ms();
  while (!update_order_.empty() &&
         update_order_.front().first + options_.update_retention_ms < now) {
    updates_.erase(update_order_.front().second);
    update_order_.pop_front();
  }
  if (!updates_.emplace(update_id, now).second) return false;
  update_order_.emplace_back(now, update_id);
  return true;
}

void MemoryJobQueue::forget_user(int64_t user_id) {
  std::lock_guard lock(mutex_);
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    if (it->second.user_id == user_id && !unfinished(it->second)) {
      const std::string id = it->first;
      std::erase_if(steps_, [&](const auto& s) { return s.first == id; });
      it = jobs_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace tgscribe::store
