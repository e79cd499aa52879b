#include "store/testing/store_factories.h"

#include "store/memory/memory_job_stores.h"
#include "store/memory/memory_settings_store.h"
#include "store/memory/memory_transcript_cache.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_job_stores.h"
#include "store/sqlite/sqlite_settings_store.h"
#include "store/sqlite/sqlite_transcript_cache.h"
#include "store/tiered_cache.h"

namespace tgscribe::store::testing {
namespace {

std::shared_ptr<SqliteDb> open_db(StoreTestEnv& env) {
  return SqliteDb::open(env.dir / "tgscribe.db");
}

}  // namespace

std::string numbered(const char* prefix, int n, const std::string& suffix) {
  std::string s = prefix;
  s += std::to_string(n);
  s += suffix;
  return s;
}

std::string unique_test_namespace() {
  std::string ns = "t";
  ns += new_job_id();
  return ns;
}

std::unique_ptr<TranscriptCache> MemoryCacheFactory::make(StoreTestEnv& env, const CacheParams& p,
                                                          std::string*) {
  return std::make_unique<MemoryTranscriptCache>(p.max_entries, p.ttl_s, env.clock);
}

JobStores MemoryJobStoresFactory::make(StoreTestEnv& env, const QueueOptions& o, std::string*) {
  return make_memory_job_stores(env.clock, o);
}

std::unique_ptr<SettingsStore> MemorySettingsFactory::make(StoreTestEnv&, std::string*) {
  return std::make_unique<MemorySettingsStore>();
}

std::unique_ptr<TranscriptCache> SqliteCacheFactory::make(StoreTestEnv& env, const CacheParams& p,
                                                          std::string*) {
  return std::make_unique<SqliteTranscriptCache>(open_db(env), p.ttl_s, p.max_entries, env.clock);
}

JobStores SqliteJobStoresFactory::make(StoreTestEnv& env, const QueueOptions& o, std::string*) {
  return make_sqlite_job_stores(open_db(env), env.clock, o);
}

std::unique_ptr<SettingsStore> SqliteSettingsFactory::make(StoreTestEnv& env, std::string*) {
  return std::make_unique<SqliteSettingsStore>(open_db(env));
}

std::unique_ptr<TranscriptCache> TieredCacheFactory::make(StoreTestEnv& env, const CacheParams& p,
                                                          std::string*) {
  // The front tier is deliberately smaller than the back, so reads go through both.
  auto front = std::make_unique<MemoryTranscriptCache>(std::max<int64_t>(1, p.max_entries / 2),
                                                       p.ttl_s, env.clock);
  auto back =
      std::make_unique<SqliteTranscriptCache>(open_db(env), p.ttl_s, p.max_entries, env.clock);
  return std::make_unique<TieredTranscriptCache>(std::move(front), std::move(back));
}

}  // namespace tgscribe::store::testing
