#pragma once
// Durable admission in DATA_DIR/tgscribe.db: the update's record, its job and its messages
// are one transaction, so a redelivered update after kill -9 finds its work done.
#include <memory>

#include "store/sqlite/sqlite_job_tables.h"
#include "store/update_log.h"

namespace tgscribe::store {

class SqliteUpdateLog : public UpdateLog {
 public:
  explicit SqliteUpdateLog(std::shared_ptr<SqliteJobTables> tables) : t_(std::move(tables)) {}

  AdmitResult admit(const Admission& admission) override;
  bool seen(int64_t update_id) override;
  bool healthy() override { return t_->db->healthy(); }

 private:
  std::shared_ptr<SqliteJobTables> t_;
};

}  // namespace tgscribe::store
