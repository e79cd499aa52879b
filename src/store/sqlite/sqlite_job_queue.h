#pragma once
// Durable job queue in DATA_DIR/tgscribe.db (QUEUE_TYPE=sqlite, the default): every state
// change is one transaction, so a job admitted before kill -9 is there after the restart, and
// a job whose worker died is claimed again once its lease passes. Several threads and several
// processes may share the file.
#include <memory>

#include "store/job_queue.h"
#include "store/sqlite/sqlite_job_tables.h"

namespace tgscribe::store {

class SqliteJobQueue : public JobQueue {
 public:
  explicit SqliteJobQueue(std::shared_ptr<SqliteJobTables> tables) : t_(std::move(tables)) {}

  std::optional<Job> claim(const std::string& worker_id, std::chrono::milliseconds lease) override;
  bool heartbeat(const std::string& job_id, int fence, std::chrono::milliseconds lease) override;
  bool finish(const std::string& job_id, int fence, const JobOutcome& outcome,
              const std::vector<OutboxEntry>& messages) override;
  int release_orphans(const std::string& worker_prefix) override;
  bool cancel(const std::string& job_id, int64_t user_id) override;
  std::optional<Job> get(const std::string& job_id) override;
  std::vector<Job> user_jobs(int64_t user_id, bool unfinished_only) override;
  int position(const std::string& job_id) override;
  QueueStats stats() override;
  void forget_user(int64_t user_id) override;
  bool healthy() override { return t_->db->healthy(); }

 private:
  std::shared_ptr<SqliteJobTables> t_;
};

}  // namespace tgscribe::store
