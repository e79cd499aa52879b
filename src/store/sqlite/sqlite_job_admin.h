#pragma once
// The operator's view (JobAdmin) of the SQLite job stores, from another process than the bot
// (`tgscribe jobs`): each change is one BEGIN IMMEDIATE transaction, and the connection's
// busy timeout makes it wait for the bot's short writes instead of failing.
#include <memory>

#include "store/job_admin.h"
#include "store/sqlite/sqlite_job_tables.h"

namespace tgscribe::store {

class SqliteJobAdmin : public JobAdmin {
 public:
  explicit SqliteJobAdmin(std::shared_ptr<SqliteJobTables> tables) : t_(std::move(tables)) {}

  std::vector<Job> list(const JobListQuery& query) override;
  RetryResult retry(const std::string& job_id, const std::vector<std::string>& keep) override;
  CancelResult cancel(const std::string& job_id, const std::vector<OutboxEntry>& messages) override;
  PurgeResult purge(std::chrono::milliseconds older_than) override;

 private:
  std::shared_ptr<SqliteJobTables> t_;
};

}  // namespace tgscribe::store
