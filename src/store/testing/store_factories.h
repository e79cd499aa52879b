#pragma once
// Factories for the typed store suites (transcript_cache_test.cc, settings_store_test.cc, and
// update_log_test.cc, job_queue_test.cc, outbox_test.cc, which share one JobStores factory).
// Adding an implementation = one factory struct here + one line in the suite's type list. A
// factory is a struct with:
//
//   static constexpr const char* kName;   // test name suffix
//   static constexpr bool kPersistent;    // make() again on the same env sees earlier writes
//   static constexpr bool kBounded;       // caches only: honours CacheParams::max_entries
//   static std::unique_ptr<Interface> make(StoreTestEnv& env, const Params& params,
//                                          std::string* skip_reason);
//
// make() returns nullptr with *skip_reason set when the backend cannot run here (e.g. no
// redis-server); the suite then GTEST_SKIPs with that reason. Every implementation must read
// time from env.clock, so TTLs, leases and aging are driven by the test, not by sleeping.
#include <memory>
#include <string>

#include "common/testing/manual_clock.h"
#include "store/job_stores.h"
#include "store/queue_policy.h"
#include "store/settings_store.h"
#include "store/transcript_cache.h"
#include "support/test_util.h"

namespace tgscribe::store::testing {

using tgscribe::testing::ManualClock;

// "t" + 16 random hex digits.
std::string unique_test_namespace();

// prefix + n (+ suffix), built with append: GCC 12 warns falsely (-Wrestrict) on the inlined
// "literal" + std::string that would otherwise be everywhere in the suites.
std::string numbered(const char* prefix, int n, const std::string& suffix = {});

// One per test: a fresh directory, a clock the test drives, and a unique namespace (for
// shared backends such as Redis, a key prefix that keeps tests apart).
struct StoreTestEnv {
  tgscribe::testing::TempDir dir;
  ManualClock clock;
  std::string ns = unique_test_namespace();
};

struct CacheParams {
  int64_t max_entries = 100;
  int64_t ttl_s = 3600;
};

// Test names show the implementation: TranscriptCacheTest/Sqlite.TtlExpiry.
struct FactoryName {
  template <typename T>
  static std::string GetName(int) {
    return T::kName;
  }
};

// --- memory ---
struct MemoryCacheFactory {
  static constexpr const char* kName = "memory";
  static constexpr bool kPersistent = false;
  static constexpr bool kBounded = true;
  static std::unique_ptr<TranscriptCache> make(StoreTestEnv& env, const CacheParams& p,
                                               std::string* skip_reason);
};
struct MemoryJobStoresFactory {
  static constexpr const char* kName = "memory";
  static constexpr bool kPersistent = false;
  // updates, queue and outbox on one backend; all null (and *skip_reason set) when the
  // backend cannot run here.
  static JobStores make(StoreTestEnv& env, const QueueOptions& o, std::string* skip_reason);
};
struct MemorySettingsFactory {
  static constexpr const char* kName = "memory";
  static constexpr bool kPersistent = false;
  static std::unique_ptr<SettingsStore> make(StoreTestEnv& env, std::string* skip_reason);
};

// --- SQLite: env.dir/tgscribe.db, one connection per make() (as two processes would) ---
struct SqliteCacheFactory {
  static constexpr const char* kName = "sqlite";
  static constexpr bool kPersistent = true;
  static constexpr bool kBounded = true;
  static std::unique_ptr<TranscriptCache> make(StoreTestEnv& env, const CacheParams& p,
                                               std::string* skip_reason);
};
struct SqliteJobStoresFactory {
  static constexpr const char* kName = "sqlite";
  static constexpr bool kPersistent = true;
  // updates, queue and outbox on one backend; all null (and *skip_reason set) when the
  // backend cannot run here.
  static JobStores make(StoreTestEnv& env, const QueueOptions& o, std::string* skip_reason);
};
struct SqliteSettingsFactory {
  static constexpr const char* kName = "sqlite";
  static constexpr bool kPersistent = true;
  static std::unique_ptr<SettingsStore> make(StoreTestEnv& env, std::string* skip_reason);
};

// --- tiered: memory in front of SQLite ---
struct TieredCacheFactory {
  static constexpr const char* kName = "tiered";
  static constexpr bool kPersistent = true;
  static constexpr bool kBounded = true;
  static std::unique_ptr<TranscriptCache> make(StoreTestEnv& env, const CacheParams& p,
                                               std::string* skip_reason);
};

// --- Redis (owned by the redis engineer; src/store/testing/redis_factories.cc): one shared
// redis-server per test process, env.ns as key prefix; skipped without redis-server ---
struct RedisCacheFactory {
  static constexpr const char* kName = "redis";
  static constexpr bool kPersistent = true;
  static constexpr bool kBounded = true;
  static std::unique_ptr<TranscriptCache> make(StoreTestEnv& env, const CacheParams& p,
                                               std::string* skip_reason);
};
struct RedisJobStoresFactory {
  static constexpr const char* kName = "redis";
  static constexpr bool kPersistent = true;
  // updates, queue and outbox on one backend; all null (and *skip_reason set) when the
  // backend cannot run here.
  static JobStores make(StoreTestEnv& env, const QueueOptions& o, std::string* skip_reason);
};
struct RedisSettingsFactory {
  static constexpr const char* kName = "redis";
  static constexpr bool kPersistent = true;
  static std::unique_ptr<SettingsStore> make(StoreTestEnv& env, std::string* skip_reason);
};

}  // namespace tgscribe::store::testing
