#include "store/testing/usage_factories.h"

#include "store/memory/memory_usage_ledger.h"
#include "store/redis/redis_usage_ledger.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_usage_ledger.h"
#include "store/testing/redis_server.h"

namespace tgscribe::store::testing {

std::unique_ptr<UsageLedger> MemoryUsageFactory::make(StoreTestEnv&, std::string*) {
  return std::make_unique<MemoryUsageLedger>();
}

std::unique_ptr<UsageLedger> SqliteUsageFactory::make(StoreTestEnv& env, std::string*) {
  return std::make_unique<SqliteUsageLedger>(SqliteDb::open(env.dir / "tgscribe.db"));
}

std::unique_ptr<UsageLedger> RedisUsageFactory::make(StoreTestEnv& env, std::string* skip_reason) {
  auto url = shared_redis_url(skip_reason);
  if (!url) return nullptr;
  return std::make_unique<RedisUsageLedger>(RedisConnection::open(*url), env.ns + ":");
}

}  // namespace tgscribe::store::testing
