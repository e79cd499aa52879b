#include "store/sqlite/sqlite_job_queue.h"

#include "store/job_store_rules.h"

namespace tgscribe::store {

std::optional<Job> SqliteJobQueue::claim(const std::string& worker_id,
                                         std::chrono::milliseconds lease) {
  SqliteDb& db = *t_->db;
  int64_t now = t_->clock.unix_ms();
  return db.write([&]() -> std::optional<Job> {
    // A dead worker's job that the user had cancelled is finished, not resumed.
    db.prepare(
          "UPDATE jobs SET state = 'cancelled', finished_ms = ?1, lease_until_ms = 0 "
          "WHERE state = 'running' AND lease_until_ms < ?1 AND cancel_requested = 1")
        .bind_all(now)
        .run();
    // Same order as claims_before() in queue_policy.cc.
    Statement q = db.prepare(
        "SELECT id FROM jobs WHERE (state = 'queued' AND not_before_ms <= ?1) "
        "OR (state = 'running' AND lease_until_ms < ?1) "
        "ORDER BY priority - (MAX(0, ?1 - created_ms) / 1000.0) * ?2, created_ms, id LIMIT 1");
    q.bind_all(now, t_->options.aging_per_s);
    if (!q.step()) return std::nullopt;
    std::string id = q.text_at(0);
    db.prepare(
          "UPDATE jobs SET state = 'running', attempts = attempts + 1, started_ms = ?2, "
          "lease_until_ms = ?3, worker_id = ?4 WHERE id = ?1")
        .bind_all(id, now, now + lease.count(), worker_id)
        .run();
    return t_->load_job(id);
  });
}

bool SqliteJobQueue::heartbeat(const std::string& job_id, int fence,
                               std::chrono::milliseconds lease) {
  SqliteDb& db = *t_->db;
  int64_t now = t_->clock.unix_ms();
  return db.write([&] {
    db.prepare(
          "UPDATE jobs SET lease_until_ms = ?3 WHERE id = ?1 AND attempts = ?2 "
          "AND state = 'running'")
        .bind_all(job_id, fence, now + lease.count())
        .run();
    return db.changes() == 1;
  });
}

bool SqliteJobQueue::finish(const std::string& job_id, int fence, const JobOutcome& outcome,
                            const std::vector<OutboxEntry>& messages) {
  check_outcome(outcome);
  check_entries(messages);
  SqliteDb& db = *t_->db;
  int64_t now = t_->clock.unix_ms();
  return db.write([&] {
    if (outcome.state == JobState::kQueued) {
      db.prepare(
            "UPDATE jobs SET state = 'queued', not_before_ms = ?3, last_error = ?4, "
            "lease_until_ms = 0, worker_id = '', budget_base = budget_base + ?5 "
            "WHERE id = ?1 AND attempts = ?2 AND state = 'running'")
          .bind_all(job_id, fence, outcome.not_before_ms, outcome.error, outcome.deferred ? 1 : 0)
          .run();
    } else {
      db.prepare(
            "UPDATE jobs SET state = ?3, last_error = ?4, finished_ms = ?5, lease_until_ms = 0 "
            "WHERE id = ?1 AND attempts = ?2 AND state = 'running'")
          .bind_all(job_id, fence, to_string(outcome.state), outcome.error, now)
          .run();
    }
    if (db.changes() != 1) return false;
    t_->add_entries(messages, now);
    t_->withdraw_entry(outcome.withdraw, now);
    t_->maybe_prune(now);
    return true;
  });
}

int SqliteJobQueue::release_orphans(const std::string& worker_prefix) {
  SqliteDb& db = *t_->db;
  int64_t now = t_->clock.unix_ms();
  // substr() rather than LIKE: worker ids may hold '_' or '%'.
  return db.write([&] {
    db.prepare(
          "UPDATE jobs SET state = 'cancelled', finished_ms = ?3, lease_until_ms = 0 "
          "WHERE state = 'running' AND substr(worker_id, 1, ?2) = ?1 AND cancel_requested = 1")
        .bind_all(worker_prefix, static_cast<int64_t>(worker_prefix.size()), now)
        .run();
    int64_t n = db.changes();
    // Queued (not a running job with a past lease): the dead claim's fence stops working
    // at once, not only after someone claims the job again.
    db.prepare(
          "UPDATE jobs SET state = 'queued', not_before_ms = 0, lease_until_ms = 0 "
          "WHERE state = 'running' AND substr(worker_id, 1, ?2) = ?1")
        .bind_all(worker_prefix, static_cast<int64_t>(worker_prefix.size()))
        .run();
    return static_cast<int>(n + db.changes());
  });
}

bool SqliteJobQueue::cancel(const std::string& job_id, int64_t user_id) {
  SqliteDb& db = *t_->db;
  int64_t now = t_->clock.unix_ms();
  return db.write([&] {
    db.prepare(
          "UPDATE jobs SET state = 'cancelled', finished_ms = ?3 "
          "WHERE id = ?1 AND user_id = ?2 AND state = 'queued'")
        .bind_all(job_id, user_id, now)
        .run();
    if (db.changes() == 1) return true;
    db.prepare(
          "UPDATE jobs SET cancel_requested = 1 WHERE id = ?1 AND user_id = ?2 "
          "AND state = 'running'")
        .bind_all(job_id, user_id)
        .run();
    return db.changes() == 1;
  });
}

std::optional<Job> SqliteJobQueue::get(const std::string& job_id) {
  return t_->db->read([&] { return t_->load_job(job_id); });
}

std::vector<Job> SqliteJobQueue::user_jobs(int64_t user_id, bool unfinished_only) {
  SqliteDb& db = *t_->db;
  return db.read([&] {
    Statement q = db.prepare("SELECT " + kJobColumns +
                             " FROM jobs WHERE user_id = ?1 AND (?2 = 0 OR state IN "
                             "('queued', 'running')) ORDER BY created_ms, id");
    q.bind_all(user_id, unfinished_only);
    std::vector<Job> out;
    while (q.step()) out.push_back(job_from_row(q));
    return out;
  });
}

int SqliteJobQueue::position(const std::string& job_id) {
  SqliteDb& db = *t_->db;
  int64_t now = t_->clock.unix_ms();
  return db.read([&] {
    auto me = t_->load_job(job_id);
    if (!me || me->state != JobState::kQueued) return 0;
    // Ranking in C++ with claims_before() keeps one definition of the order for every
    // implementation; the queue holds at most thousands of queued jobs.
    Statement q =
        db.prepare("SELECT id, priority, created_ms FROM jobs WHERE state = 'queued' AND id != ?1");
    q.bind_all(job_id);
    int ahead = 0;
    while (q.step()) {
      Job other;
      other.id = q.text_at(0);
      other.priority = q.int_at(1);
      other.created_ms = q.int_at(2);
      if (claims_before(other, *me, now, t_->options.aging_per_s)) ++ahead;
    }
    return ahead + 1;
  });
}

QueueStats SqliteJobQueue::stats() {
  SqliteDb& db = *t_->db;
  return db.read([&] {
    QueueStats s;
    {
      Statement q =
          db.prepare("SELECT state, COUNT(*), SUM(MAX(attempts - 1, 0)) FROM jobs GROUP BY state");
      while (q.step()) {
        int64_t n = q.int_at(1);
        s.retries += q.int_at(2);
        switch (job_state_from_string(q.text_at(0))) {
          case JobState::kQueued:
            s.queued = n;
            break;
          case JobState::kRunning:
            s.running = n;
            break;
          case JobState::kDelivered:
            s.delivered = n;
            break;
          case JobState::kFailed:
            s.failed = n;
            break;
          case JobState::kCancelled:
            s.cancelled = n;
            break;
        }
      }
    }
    // Cache hits (admitted delivered, never started) have no wait or run time.
    Statement q = db.prepare(
        "SELECT started_ms - created_ms, finished_ms - started_ms FROM jobs "
        "WHERE state IN ('delivered', 'failed') AND started_ms > 0 "
        "ORDER BY finished_ms DESC LIMIT ?1");
    q.bind_all(t_->options.stats_window);
    std::vector<double> waits, runs;
    while (q.step()) {
      waits.push_back(static_cast<double>(q.int_at(0)));
      runs.push_back(static_cast<double>(q.int_at(1)));
    }
    set_duration_percentiles(s, waits, runs);
    return s;
  });
}

void SqliteJobQueue::forget_user(int64_t user_id) {
  SqliteDb& db = *t_->db;
  db.write([&] {
    // What was already said to the user holds their transcripts too; pending entries still
    // have to go out.
    db.prepare(
          "DELETE FROM outbox WHERE state != 'pending' AND job_id IN (SELECT id FROM jobs "
          "WHERE user_id = ?1 AND state NOT IN ('queued', 'running'))")
        .bind_all(user_id)
        .run();
    db.prepare("DELETE FROM jobs WHERE user_id = ?1 AND state NOT IN ('queued', 'running')")
        .bind_all(user_id)
        .run();
  });
}

}  // namespace tgscribe::store
