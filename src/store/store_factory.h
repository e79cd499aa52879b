#pragma once
// Builds the stores the configuration asks for: CACHE_TYPE / QUEUE_TYPE = memory | sqlite |
// redis. Settings live with the queue. SQLite stores share one connection to
// DATA_DIR/tgscribe.db; Redis stores share one connection to REDIS_URL.
#include <memory>

#include "common/clock.h"
#include "common/rate_budget.h"
#include "config/config.h"
#include "store/inflight.h"
#include "store/job_queue.h"
#include "store/outbox.h"
#include "store/settings_store.h"
#include "store/transcript_cache.h"
#include "store/update_log.h"
#include "store/usage_ledger.h"

namespace tgscribe::store {

struct Stores {
  // nullptr when CACHE_ENABLED=false. Otherwise always a TieredTranscriptCache: a memory tier
  // of CACHE_MAX_SIZE entries in front of SQLite/Redis (alone for memory), which also counts
  // tgscribe_cache_requests_total.
  std::unique_ptr<TranscriptCache> cache;
  // The job's durable path (QUEUE_TYPE): admission, queue and outbox on one backend, so
  // admit() and finish() write jobs and outbox entries in one transaction.
  std::unique_ptr<UpdateLog> updates;
  std::unique_ptr<JobQueue> queue;
  std::unique_ptr<Outbox> outbox;
  std::unique_ptr<SettingsStore> settings;
  // Coalesces identical content being transcribed at once: in this process, or across
  // instances (a Redis lock per content key) when CACHE_TYPE=redis.
  std::unique_ptr<InflightRegistry> inflight;
  // The engines' rate budget (common/rate_budget.h): shared by every instance on Redis when
  // QUEUE_TYPE=redis, else by the workers of this process.
  std::shared_ptr<RateBudget> rate_budget;
  // Engine usage per user and day (/usage, /stats, quotas), with the queue (QUEUE_TYPE).
  std::unique_ptr<UsageLedger> usage;
};

// Throws tgscribe::Error with a plain one-line message (naming the path or the Redis address)
// when a store cannot be opened: DATA_DIR not writable, disk full, corrupt database, Redis
// unreachable, unknown type.
Stores make_stores(const config::Config& config, Clock& clock = SystemClock::instance());

// DATA_DIR/tgscribe.db
std::string sqlite_path(const config::Config& config);

}  // namespace tgscribe::store
