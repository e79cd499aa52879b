#pragma once
// UpdateLog on Redis (key layout: redis_job_queue.h): admit is one Lua script that records
// {p}upd:<id>, checks the per-user limit, stores the job with its indexes and adds the outbox
// entries, so a redelivered update, or the script re-sent after a lost reply, adds nothing.
#include <memory>
#include <string>

#include "common/clock.h"
#include "store/queue_policy.h"
#include "store/redis/redis_connection.h"
#include "store/update_log.h"

namespace tgscribe::store {

class RedisUpdateLog : public UpdateLog {
 public:
  RedisUpdateLog(std::shared_ptr<RedisConnection> redis, Clock& clock = SystemClock::instance(),
                 QueueOptions options = {}, std::string prefix = "tgscribe:");

  AdmitResult admit(const Admission& admission) override;
  bool seen(int64_t update_id) override;
  bool healthy() override;

 private:
  std::shared_ptr<RedisConnection> redis_;
  Clock& clock_;
  const QueueOptions options_;
  const std::string prefix_;
};

}  // namespace tgscribe::store
