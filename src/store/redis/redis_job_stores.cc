#include "store/redis/redis_job_stores.h"

#include "store/redis/redis_job_admin.h"
#include "store/redis/redis_job_queue.h"
#include "store/redis/redis_outbox.h"
#include "store/redis/redis_update_log.h"

namespace tgscribe::store {

JobStores make_redis_job_stores(std::shared_ptr<RedisConnection> redis, Clock& clock,
                                QueueOptions options, std::string prefix) {
  JobStores s;
  s.updates = std::make_unique<RedisUpdateLog>(redis, clock, options, prefix);
  s.queue = std::make_unique<RedisJobQueue>(redis, clock, options, prefix);
  s.admin = std::make_unique<RedisJobAdmin>(redis, clock, options, prefix);
  s.outbox = std::make_unique<RedisOutbox>(std::move(redis), clock, options, std::move(prefix));
  return s;
}

}  // namespace tgscribe::store
