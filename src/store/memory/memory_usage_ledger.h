#pragma once
// UsageLedger in this process's memory (QUEUE_TYPE=memory): gone at exit, like the queue.
#include <mutex>
#include <tuple>

#include "store/usage_ledger.h"

namespace tgscribe::store {

class MemoryUsageLedger : public UsageLedger {
 public:
  void add(int64_t user_id, int64_t day, const std::string& engine, const Usage& u) override;
  Usage user_usage(int64_t user_id, int64_t first_day, int64_t last_day) override;
  std::map<std::string, Usage> engine_usage(int64_t first_day, int64_t last_day) override;
  std::vector<UserUsage> top_users(int64_t first_day, int64_t last_day, int n) override;
  void forget(int64_t user_id) override;
  void prune(int64_t first_kept_day) override;

 private:
  std::mutex mutex_;
  // (user, day, engine) -> usage, and (day, engine) -> total; both guarded by mutex_.
  std::map<std::tuple<int64_t, int64_t, std::string>, Usage> rows_;
  std::map<std::pair<int64_t, std::string>, Usage> totals_;
};

}  // namespace tgscribe::store
