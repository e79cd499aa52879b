#include "store/redis/redis_job_stores.h"

#include "store/redis/redis_job_admin.h"
#include "store/redis/redis_job_queue.h"
#include "store/redis/redis_outbox.h"
#include "store/redis/redis_update_log.h"

namespace tgscribe::store {

JobStores make_redis_job_stores(std::shared_ptr<RedisConnection> redis, Clock& clock,
                                QueueOptions options, std::string prefix) {
  return make_job_stores<RedisUpdateLog, RedisJobQueue, RedisOutbox, RedisJobAdmin>(
      redis, clock, options, prefix);
}

}  // namespace tgscribe::store
