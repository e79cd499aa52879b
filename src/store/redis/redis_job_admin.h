#pragma once
// The operator's view (JobAdmin) of the Redis job stores, from another process than the bots
// (`tgscribe jobs`). Every change is one Lua script over the key layout of redis_job_queue.h,
// re-sendable after a reconnect (request tokens), like the stores' own scripts. Extra hash
// fields: `base` (Job::budget_base) and `retry_token` (the last retry's request token).
#include <memory>
#include <string>

#include "common/clock.h"
#include "store/job_admin.h"
#include "store/queue_policy.h"
#include "store/redis/redis_connection.h"

namespace tgscribe::store {

class RedisJobAdmin : public JobAdmin {
 public:
  RedisJobAdmin(std::shared_ptr<RedisConnection> redis, Clock& clock, QueueOptions options,
                std::string prefix);

  // Jobs have no global index by creation time: the script walks the queued and running
  // sets (small) and the finished set from the most recently finished, stopping once a job
  // finished before the oldest creation time of the page (created <= finished).
  std::vector<Job> list(const JobListQuery& query) override;
  RetryResult retry(const std::string& job_id, const std::vector<std::string>& keep) override;
  CancelResult cancel(const std::string& job_id, const std::vector<OutboxEntry>& messages) override;
  PurgeResult purge(std::chrono::milliseconds older_than) override;

 private:
  std::vector<std::string> args(int64_t now) const;

  std::shared_ptr<RedisConnection> redis_;
  Clock& clock_;
  const QueueOptions options_;
  const std::string prefix_;
};

}  // namespace tgscribe::store
