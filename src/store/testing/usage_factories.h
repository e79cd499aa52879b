#pragma once
// Factories for the typed UsageLedger suite (usage_ledger_test.cc), in the pattern of
// store_factories.h: make() returns nullptr with *skip_reason set when the backend cannot
// run here; a second make() on the same env sees the first one's data when kPersistent.
#include <memory>
#include <string>

#include "store/testing/store_factories.h"
#include "store/usage_ledger.h"

namespace tgscribe::store::testing {

struct MemoryUsageFactory {
  static constexpr const char* kName = "memory";
  static constexpr bool kPersistent = false;
  static std::unique_ptr<UsageLedger> make(StoreTestEnv& env, std::string* skip_reason);
};
struct SqliteUsageFactory {
  static constexpr const char* kName = "sqlite";
  static constexpr bool kPersistent = true;
  static std::unique_ptr<UsageLedger> make(StoreTestEnv& env, std::string* skip_reason);
};
struct RedisUsageFactory {
  static constexpr const char* kName = "redis";
  static constexpr bool kPersistent = true;
  static std::unique_ptr<UsageLedger> make(StoreTestEnv& env, std::string* skip_reason);
};

}  // namespace tgscribe::store::testing
