#pragma once
// Durable job queue in DATA_DIR/tgscribe.db (QUEUE_TYPE=sqlite, the default): every state
// change is one transaction, so a job accepted before kill -9 is there after the restart, and
// a job whose worker died is claimed again once its lease passes. Several threads and several
// processes may share the file.
#include <atomic>
#include <memory>

#include "common/clock.h"
#include "store/job_queue.h"
#include "store/queue_policy.h"
#include "store/sqlite/sqlite_db.h"

namespace tgscribe::store {

class SqliteJobQueue : public JobQueue {
 public:
  SqliteJobQueue(std::shared_ptr<SqliteDb> db, Clock& clock = SystemClock::instance(),
                 QueueOptions options = {});

  EnqueueResult enqueue(const Job& job, int per_user_limit) override;
  std::optional<Job> claim(const std::string& worker_id, std::chrono::milliseconds lease) override;
  bool heartbeat(const std::string& job_id, const std::string& worker_id,
                 std::chrono::milliseconds lease) override;
  void mark_delivered(const std::string& job_id) override;
  void mark_failed(const std::string& job_id, const std::string& error, bool retry,
                   int64_t not_before_ms) override;
  bool cancel(const std::string& job_id, int64_t user_id) override;
  void mark_cancelled(const std::string& job_id) override;
  std::optional<Job> get(const std::string& job_id) override;
  void update_payload(const std::string& job_id, const std::string& payload) override;
  std::vector<Job> user_jobs(int64_t user_id, bool unfinished_only) override;
  int position(const std::string& job_id) override;
  QueueStats stats() override;
  bool mark_step(const std::string& job_id, const std::string& step) override;
  bool step_done(const std::string& job_id, const std::string& step) override;
  bool first_time_update(int64_t update_id) override;
  void forget_user(int64_t user_id) override;
  bool healthy() override { return db_->healthy(); }

 private:
  std::optional<Job> load(const std::string& job_id);                      // inside a transaction
  void finish(const std::string& job_id, const char* state, int64_t now);  // inside one
  void prune(int64_t now);                                                 // inside one

  std::shared_ptr<SqliteDb> db_;
  Clock& clock_;
  const QueueOptions options_;
  // Pruning runs at most once a minute, inside the transaction of the call that triggers it.
  static bool due(std::atomic<int64_t>& last_ms, int64_t now);
  std::atomic<int64_t> last_job_prune_ms_{0};
  std::atomic<int64_t> last_update_prune_ms_{0};
};

}  // namespace tgscribe::store
