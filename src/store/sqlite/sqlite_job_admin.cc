#include "store/sqlite/sqlite_job_admin.h"

#include <set>

#include "store/job_store_rules.h"

namespace tgscribe::store {

std::vector<Job> SqliteJobAdmin::list(const JobListQuery& query) {
  SqliteDb& db = *t_->db;
  return db.read([&] {
    Statement q = db.prepare("SELECT " + kJobColumns +
                             " FROM jobs WHERE ?1 = '' OR state = ?1 "
                             "ORDER BY created_ms DESC, id DESC LIMIT ?2");
    q.bind_all(std::string(query.state ? to_string(*query.state) : ""),
               clamp_list_limit(query.limit));
    std::vector<Job> out;
    while (q.step()) out.push_back(job_from_row(q));
    return out;
  });
}

RetryResult SqliteJobAdmin::retry(const std::string& job_id, const std::vector<std::string>& keep) {
  SqliteDb& db = *t_->db;
  return db.write([&] {
    auto j = t_->load_job(job_id);
    if (!j) return RetryResult::kNotFound;
    if (j->state != JobState::kFailed && j->state != JobState::kCancelled) {
      return RetryResult::kNotRetryable;
    }
    requeue_for_retry(*j);
    db.prepare(
          "UPDATE jobs SET state = ?2, budget_base = ?3, not_before_ms = ?4, lease_until_ms = ?5, "
          "finished_ms = ?6, cancel_requested = ?7, worker_id = ?8 WHERE id = ?1")
        .bind_all(j->id, to_string(j->state), j->budget_base, j->not_before_ms, j->lease_until_ms,
                  j->finished_ms, j->cancel_requested, j->worker_id)
        .run();
    std::set<std::string> kept(keep.begin(), keep.end());
    std::vector<std::string> settled;
    {
      Statement q = db.prepare("SELECT id FROM outbox WHERE job_id = ?1 AND state != 'pending'");
      q.bind_all(job_id);
      while (q.step()) settled.push_back(q.text_at(0));
    }
    for (const auto& id : settled) {
      if (!kept.count(id)) db.prepare("DELETE FROM outbox WHERE id = ?1").bind_all(id).run();
    }
    return RetryResult::kRequeued;
  });
}

CancelResult SqliteJobAdmin::cancel(const std::string& job_id,
                                    const std::vector<OutboxEntry>& messages) {
  check_entries(messages);
  SqliteDb& db = *t_->db;
  int64_t now = t_->clock.unix_ms();
  return db.write([&] {
    auto j = t_->load_job(job_id);
    if (!j) return CancelResult::kNotFound;
    switch (j->state) {
      case JobState::kQueued:
        db.prepare(
              "UPDATE jobs SET state = 'cancelled', finished_ms = ?2, last_error = ?3 "
              "WHERE id = ?1")
            .bind_all(job_id, now, kCancelledByOperator)
            .run();
        t_->add_entries(messages, now);
        return CancelResult::kCancelled;
      case JobState::kRunning:
        // Only the flag: the lease and the fence stay the worker's.
        db.prepare("UPDATE jobs SET cancel_requested = 1 WHERE id = ?1").bind_all(job_id).run();
        return CancelResult::kStopRequested;
      case JobState::kCancelled:
        return CancelResult::kCancelled;
      default:
        return CancelResult::kFinished;
    }
  });
}

PurgeResult SqliteJobAdmin::purge(std::chrono::milliseconds older_than) {
  SqliteDb& db = *t_->db;
  int64_t cutoff = t_->clock.unix_ms() - older_than.count();
  PurgeResult total;
  while (true) {
    // One batch per transaction: the bot's writes wait at most one batch.
    int64_t batch = db.write([&] {
      std::vector<std::string> ids;
      {
        Statement q = db.prepare(
            "SELECT id FROM jobs WHERE finished_ms > 0 AND finished_ms < ?1 "
            "AND state IN ('delivered', 'failed', 'cancelled') LIMIT ?2");
        q.bind_all(cutoff, kPurgeBatch);
        while (q.step()) ids.push_back(q.text_at(0));
      }
      for (const auto& id : ids) {
        db.prepare("DELETE FROM outbox WHERE job_id = ?1 AND state != 'pending'")
            .bind_all(id)
            .run();
        total.entries += db.changes();
        db.prepare("DELETE FROM jobs WHERE id = ?1").bind_all(id).run();
      }
      return static_cast<int64_t>(ids.size());
    });
    total.jobs += batch;
    if (batch < kPurgeBatch) return total;
  }
}

}  // namespace tgscribe::store
