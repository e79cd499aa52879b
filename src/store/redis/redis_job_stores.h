#pragma once
// The job path (UpdateLog, JobQueue, Outbox) on one Redis, sharing one key prefix so that
// admit and finish write jobs and outbox entries in one Lua script.
#include <memory>
#include <string>

#include "common/clock.h"
#include "store/job_stores.h"
#include "store/queue_policy.h"
#include "store/redis/redis_connection.h"

namespace tgscribe::store {

// `prefix` namespaces every key ("tgscribe:" in production, unique per test).
JobStores make_redis_job_stores(std::shared_ptr<RedisConnection> redis, Clock& clock,
                                QueueOptions options, std::string prefix);

}  // namespace tgscribe::store
