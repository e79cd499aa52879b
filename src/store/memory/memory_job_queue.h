#pragma once
// In-process job queue (QUEUE_TYPE=memory): same semantics as the durable ones, nothing
// survives a restart. Thread-safe: one mutex, every operation is short.
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

#include "common/clock.h"
#include "store/job_queue.h"
#include "store/queue_policy.h"

namespace tgscribe::store {

class MemoryJobQueue : public JobQueue {
 public:
  explicit MemoryJobQueue(Clock& clock = SystemClock::instance(), QueueOptions options = {});

  EnqueueResult enqueue(const Job& job, int per_user_limit) override;
  std::optional<Job> claim(const std::string& worker_id, std::chrono::milliseconds lease) override;
  bool heartbeat(const std::string& job_id, const std::string& worker_id,
                 std::chrono::milliseconds lease) override;
  void mark_delivered(const std::string& job_id) override;
  void mark_failed(const std::string& job_id, const std::string& error, bool retry,
                   int64_t not_before_ms) override;
  bool cancel(const std::string& job_id, int64_t user_id) override;
  void mark_cancelled(const std::string& job_id) override;
  std::optional<Job> get(const std::string& job_id) override;
  void update_payload(const std::string& job_id, const std::string& payload) override;
  std::vector<Job> user_jobs(int64_t user_id, bool unfinished_only) override;
  int position(const std::string& job_id) override;
  QueueStats stats() override;
  bool mark_step(const std::string& job_id, const std::string& step) override;
  bool step_done(const std::string& job_id, const std::string& step) override;
  bool first_time_update(int64_t update_id) override;
  void forget_user(int64_t user_id) override;
  bool healthy() override { return true; }

 private:
  static bool unfinished(const Job& j) {
    return j.state == JobState::kQueued || j.state == JobState::kRunning;
  }
  void finish(Job& j, JobState state);
  void prune_finished(int64_t now);

  Clock& clock_;
  const QueueOptions options_;
  std::mutex mutex_;
  std::unordered_map<std::string, Job> jobs_;             // guarded by mutex_
  std::set<std::pair<std::string, std::string>> steps_;   // guarded by mutex_
  std::map<int64_t, int64_t> updates_;                    // id -> seen ms; guarded
  std::deque<std::pair<int64_t, int64_t>> update_order_;  // (seen ms, id); guarded
};

}  // namespace tgscribe::store
