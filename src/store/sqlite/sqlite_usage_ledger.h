#pragma once
// UsageLedger in DATA_DIR/tgscribe.db (QUEUE_TYPE=sqlite): tables usage_rows (user, day,
// engine) and usage_totals (day, engine), each add one upsert pair in one transaction.
#include <memory>

#include "store/sqlite/sqlite_db.h"
#include "store/usage_ledger.h"

namespace tgscribe::store {

class SqliteUsageLedger : public UsageLedger {
 public:
  // Creates its tables when missing.
  explicit SqliteUsageLedger(std::shared_ptr<SqliteDb> db);

  void add(int64_t user_id, int64_t day, const std::string& engine, const Usage& u) override;
  Usage user_usage(int64_t user_id, int64_t first_day, int64_t last_day) override;
  std::map<std::string, Usage> engine_usage(int64_t first_day, int64_t last_day) override;
  std::vector<UserUsage> top_users(int64_t first_day, int64_t last_day, int n) override;
  void forget(int64_t user_id) override;
  void prune(int64_t first_kept_day) override;
  bool healthy() override { return db_->healthy(); }

 private:
  std::shared_ptr<SqliteDb> db_;
};

}  // namespace tgscribe::store
