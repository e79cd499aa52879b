// Redis factories for the typed store suites (declared in store_factories.h). All tests share
// one redis-server per process; each test's StoreTestEnv::ns becomes its key prefix, and a
// second make() on the same env sees the first one's data, as a second instance would.
#include "store/redis/redis_job_stores.h"
#include "store/redis/redis_settings_store.h"
#include "store/redis/redis_transcript_cache.h"
#include "store/testing/redis_server.h"
#include "store/testing/store_factories.h"

namespace tgscribe::store::testing {
namespace {

std::shared_ptr<RedisConnection> connect(std::string* skip_reason) {
  auto url = shared_redis_url(skip_reason);
  if (!url) return nullptr;
  return RedisConnection::open(*url);
}

}  // namespace

std::unique_ptr<TranscriptCache> RedisCacheFactory::make(StoreTestEnv& env, const CacheParams& p,
                                                         std::string* skip_reason) {
  auto redis = connect(skip_reason);
  if (!redis) return nullptr;
  return std::make_unique<RedisTranscriptCache>(redis, p.ttl_s, p.max_entries, env.clock,
                                                env.ns + ":");
}

JobStores RedisJobStoresFactory::make(StoreTestEnv& env, const QueueOptions& o,
                                      std::string* skip_reason) {
  auto redis = connect(skip_reason);
  if (!redis) return {};
  return make_redis_job_stores(redis, env.clock, o, env.ns + ":");
}

std::unique_ptr<SettingsStore> RedisSettingsFactory::make(StoreTestEnv& env,
                                                          std::string* skip_reason) {
  auto redis = connect(skip_reason);
  if (!redis) return nullptr;
  return std::make_unique<RedisSettingsStore>(redis, env.ns + ":");
}

}  // namespace tgscribe::store::testing
