#include "store/store_factory.h"

#include <filesystem>

#include "common/error.h"
#include "store/memory/memory_job_stores.h"
#include "store/memory/memory_settings_store.h"
#include "store/memory/memory_transcript_cache.h"
#include "store/memory/memory_usage_ledger.h"
#include "store/redis/redis_connection.h"
#include "store/redis/redis_inflight.h"
#include "store/redis/redis_job_stores.h"
#include "store/redis/redis_rate_budget.h"
#include "store/redis/redis_settings_store.h"
#include "store/redis/redis_transcript_cache.h"
#include "store/redis/redis_usage_ledger.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_job_stores.h"
#include "store/sqlite/sqlite_settings_store.h"
#include "store/sqlite/sqlite_transcript_cache.h"
#include "store/sqlite/sqlite_usage_ledger.h"
#include "store/tiered_cache.h"

namespace tgscribe::store {
namespace {

// Opens each backend at most once, on first need.
class Backends {
 public:
  explicit Backends(const config::Config& config) : config_(config) {}

  std::shared_ptr<SqliteDb> sqlite() {
    if (!sqlite_) sqlite_ = SqliteDb::open(sqlite_path(config_));
    return sqlite_;
  }
  std::shared_ptr<RedisConnection> redis() {
    if (!redis_) redis_ = RedisConnection::open(config_.redis_url);
    return redis_;
  }

 private:
  const config::Config& config_;
  std::shared_ptr<SqliteDb> sqlite_;
  std::shared_ptr<RedisConnection> redis_;
};

[[noreturn]] void unknown_type(const char* option, const std::string& value) {
  throw Error(ErrorKind::kInvalidInput, std::string(option) + ": unknown type '" + value +
                                            "' (expected memory, sqlite or redis)");
}

}  // namespace

std::string sqlite_path(const config::Config& config) {
  return (std::filesystem::path(config.data_dir) / "tgscribe.db").string();
}

Stores make_stores(const config::Config& config, Clock& clock) {
  Backends backends(config);
  Stores stores;

  if (config.cache_enabled) {
    std::unique_ptr<TranscriptCache> back;
    if (config.cache_type == "sqlite") {
      back = std::make_unique<SqliteTranscriptCache>(backends.sqlite(), config.cache_ttl_s,
                                                     /*max_entries=*/100000, clock);
    } else if (config.cache_type == "redis") {
      back = std::make_unique<RedisTranscriptCache>(backends.redis(), config.cache_ttl_s,
                                                    /*max_entries=*/0, clock);
    } else if (config.cache_type != "memory") {
      unknown_type("CACHE_TYPE", config.cache_type);
    }
    auto front =
        std::make_unique<MemoryTranscriptCache>(config.cache_max_size, config.cache_ttl_s, clock);
    stores.cache = std::make_unique<TieredTranscriptCache>(std::move(front), std::move(back));
  }

  JobStores jobs;
  if (config.queue_type == "memory") {
    jobs = make_memory_job_stores(clock);
    stores.settings = std::make_unique<MemorySettingsStore>();
    stores.usage = std::make_unique<MemoryUsageLedger>();
  } else if (config.queue_type == "sqlite") {
    jobs = make_sqlite_job_stores(backends.sqlite(), clock);
    stores.settings = std::make_unique<SqliteSettingsStore>(backends.sqlite());
    stores.usage = std::make_unique<SqliteUsageLedger>(backends.sqlite());
  } else if (config.queue_type == "redis") {
    jobs = make_redis_job_stores(backends.redis(), clock, {}, "tgscribe:");
    stores.settings = std::make_unique<RedisSettingsStore>(backends.redis());
    stores.rate_budget = std::make_shared<RedisRateBudget>(backends.redis(), "tgscribe:");
    stores.usage = std::make_unique<RedisUsageLedger>(backends.redis());
  } else {
    unknown_type("QUEUE_TYPE", config.queue_type);
  }
  if (!stores.rate_budget) stores.rate_budget = std::make_shared<MemoryRateBudget>();
  stores.updates = std::move(jobs.updates);
  stores.queue = std::move(jobs.queue);
  stores.outbox = std::move(jobs.outbox);

  // Across instances only when they share the cache: a waiter that got the lock after the
  // winner finds the winner's transcript only in a shared cache.
  if (config.cache_enabled && config.cache_type == "redis") {
    stores.inflight = std::make_unique<RedisInflightRegistry>(backends.redis());
  } else {
    stores.inflight = std::make_unique<MemoryInflightRegistry>();
  }
  return stores;
}

}  // namespace tgscribe::store
