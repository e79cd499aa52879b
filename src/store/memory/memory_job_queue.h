#pragma once
// In-process job queue (QUEUE_TYPE=memory): same semantics as the durable ones, nothing
// survives a restart.
#include <memory>

#include "store/job_queue.h"
#include "store/memory/memory_job_state.h"

namespace tgscribe::store {

class MemoryJobQueue : public JobQueue {
 public:
  explicit MemoryJobQueue(std::shared_ptr<MemoryJobState> state) : state_(std::move(state)) {}

  std::optional<Job> claim(const std::string& worker_id, std::chrono::milliseconds lease) override;
  bool heartbeat(const std::string& job_id, int fence, std::chrono::milliseconds lease) override;
  bool finish(const std::string& job_id, int fence, const JobOutcome& outcome,
              const std::vector<OutboxEntry>& messages) override;
  int release_orphans(const std::string& worker_prefix) override;
  bool cancel(const std::string& job_id, int64_t user_id) override;
  std::optional<Job> get(const std::string& job_id) override;
  std::vector<Job> user_jobs(int64_t user_id, bool unfinished_only) override;
  int position(const std::string& job_id) override;
  QueueStats stats() override;
  void forget_user(int64_t user_id) override;
  bool healthy() override { return true; }

 private:
  // The job when it is running under `fence`, else nullptr. With the mutex held.
  Job* fenced(const std::string& job_id, int fence);

  std::shared_ptr<MemoryJobState> state_;
};

}  // namespace tgscribe::store
