#include "store/sqlite/sqlite_job_queue.h"

#include <algorithm>
#include <stdexcept>

namespace tgscribe::store {
namespace {

const std::string kColumns =
    "id, user_id, chat_id, priority, state, attempts, created_ms, started_ms, finished_ms, "
    "not_before_ms, lease_until_ms, cancel_requested, last_error, worker_id, payload";

Job job_from_row(const Statement& q) {
  Job j;
  j.id = q.text_at(0);
  j.user_id = q.int_at(1);
  j.chat_id = q.int_at(2);
  j.priority = q.int_at(3);
  j.state = job_state_from_string(q.text_at(4));
  j.attempts = static_cast<int>(q.int_at(5));
  j.created_ms = q.int_at(6);
  j.started_ms = q.int_at(7);
  j.finished_ms = q.int_at(8);
  j.not_before_ms = q.int_at(9);
  j.lease_until_ms = q.int_at(10);
  j.cancel_requested = q.int_at(11) != 0;
  j.last_error = q.text_at(12);
  j.worker_id = q.text_at(13);
  j.payload = q.text_at(14);
  return j;
}

constexpr int64_t kPruneIntervalMs = 60'000;

}  // namespace

SqliteJobQueue::SqliteJobQueue(std::shared_ptr<SqliteDb> db, Clock& clock, QueueOptions options)
    : db_(std::move(db)), clock_(clock), options_(options) {}

bool SqliteJobQueue::due(std::atomic<int64_t>& last_ms, int64_t now) {
  int64_t last = last_ms.load();
  return now - last >= kPruneIntervalMs && last_ms.compare_exchange_strong(last, now);
}

std::optional<Job> SqliteJobQueue::load(const std::string& job_id) {
  Statement q = db_->prepare("SELECT " + kColumns + " FROM jobs WHERE id = ?1");
  q.bind_all(job_id);
  if (!q.step()) return std::nullopt;
  return job_from_row(q);
}

EnqueueResult SqliteJobQueue::enqueue(const Job& job, int per_user_limit) {
  if (job.id.empty()) throw std::invalid_argument("enqueue: job id is empty");
  int64_t now = clock_.unix_ms();
  // The count and the insert share one write transaction: two processes cannot both see
  // "limit - 1" and both insert.
  return db_->write([&]() -> EnqueueResult {
    Statement c = db_->prepare(
        "SELECT COUNT(*) FROM jobs WHERE user_id = ?1 AND state IN ('queued', 'running')");
    c.bind_all(job.user_id);
    int unfinished = c.step() ? static_cast<int>(c.int_at(0)) : 0;
    // Re-enqueueing an id that exists is a redelivered update: accepted, nothing changes.
    Statement e = db_->prepare("SELECT 1 FROM jobs WHERE id = ?1");
    e.bind_all(job.id);
    if (e.step()) return {true, unfinished};
    if (per_user_limit > 0 && unfinished >= per_user_limit) return {false, unfinished};
    db_->prepare("INSERT INTO jobs (" + kColumns +
                 ") VALUES (?1, ?2, ?3, ?4, 'queued', 0, ?5, 0, 0, ?6, 0, 0, ?7, '', ?8)")
        .bind_all(job.id, job.user_id, job.chat_id, job.priority,
                  job.created_ms ? job.created_ms : now, job.not_before_ms, job.last_error,
                  job.payload)
        .run();
    return {true, unfinished + 1};
  });
}

std::optional<Job> SqliteJobQueue::claim(const std::string& worker_id,
                                         std::chrono::milliseconds lease) {
  int64_t now = clock_.unix_ms();
  return db_->write([&]() -> std::optional<Job> {
    // A dead worker's job that the user had cancelled is finished, not resumed.
    db_->prepare(
           "UPDATE jobs SET state = 'cancelled', finished_ms = ?1, lease_until_ms = 0 "
           "WHERE state = 'running' AND lease_until_ms < ?1 AND cancel_requested = 1")
        .bind_all(now)
        .run();
    // Same order as claims_before() in queue_policy.cc.
    Statement q = db_->prepare(
        "SELECT id FROM jobs WHERE (state = 'queued' AND not_before_ms <= ?1) "
        "OR (state = 'running' AND lease_until_ms < ?1) "
        "ORDER BY priority - (MAX(0, ?1 - created_ms) / 1000.0) * ?2, created_ms, id LIMIT 1");
    q.bind_all(now, options_.aging_per_s);
    if (!q.step()) return std::nullopt;
    std::string id = q.text_at(0);
    db_->prepare(
           "UPDATE jobs SET state = 'running', attempts = attempts + 1, started_ms = ?2, "
           "lease_until_ms = ?3, worker_id = ?4 WHERE id = ?1")
        .bind_all(id, now, now + lease.count(), worker_id)
        .run();
    return load(id);
  });
}

bool SqliteJobQueue::heartbeat(const std::string& job_id, const std::string& worker_id,
                               std::chrono::milliseconds lease) {
  int64_t now = clock_.unix_ms();
  return db_->write([&] {
    db_->prepare(
           "UPDATE jobs SET lease_until_ms = ?3 WHERE id = ?1 AND worker_id = ?2 "
           "AND state = 'running'")
        .bind_all(job_id, worker_id, now + lease.count())
        .run();
    return db_->changes() == 1;
  });
}

void SqliteJobQueue::finish(const std::string& job_id, const char* state, int64_t now) {
  db_->prepare("UPDATE jobs SET state = ?2, finished_ms = ?3, lease_until_ms = 0 WHERE id = ?1")
      .bind_all(job_id, state, now)
      .run();
  if (due(last_job_prune_ms_, now)) prune(now);
}

void SqliteJobQueue::prune(int64_t now) {
  int64_t cutoff = now - options_.finished_retention_ms;
  db_->prepare(
         "DELETE FROM job_steps WHERE job_id IN (SELECT id FROM jobs WHERE finished_ms > 0 "
         "AND finished_ms < ?1 AND state NOT IN ('queued', 'running'))")
      .bind_all(cutoff)
      .run();
  db_->prepare(
         "DELETE FROM jobs WHERE finished_ms > 0 AND finished_ms < ?1 "
         "AND state NOT IN ('queued', 'running')")
      .bind_all(cutoff)
      .run();
}

void SqliteJobQueue::mark_delivered(const std::string& job_id) {
  int64_t now = clock_.unix_ms();
  db_->write([&] { finish(job_id, "delivered", now); });
}

void SqliteJobQueue::mark_failed(const std::string& job_id, const std::string& error, bool retry,
                                 int64_t not_before_ms) {
  int64_t now = clock_.unix_ms();
  db_->write([&] {
    if (retry) {
      db_->prepare(
             "UPDATE jobs SET state = 'queued', not_before_ms = ?2, last_error = ?3, "
             "lease_until_ms = 0, worker_id = '' WHERE id = ?1")
          .bind_all(job_id, not_before_ms, error)
          .run();
    } else {
      db_->prepare("UPDATE jobs SET last_error = ?2 WHERE id = ?1").bind_all(job_id, error).run();
      finish(job_id, "failed", now);
    }
  });
}

bool SqliteJobQueue::cancel(const std::string& job_id, int64_t user_id) {
  int64_t now = clock_.unix_ms();
  return db_->write([&] {
    db_->prepare(
           "UPDATE jobs SET state = 'cancelled', finished_ms = ?3 "
           "WHERE id = ?1 AND user_id = ?2 AND state = 'queued'")
        .bind_all(job_id, user_id, now)
        .run();
    if (db_->changes() == 1) return true;
    db_->prepare(
           "UPDATE jobs SET cancel_requested = 1 WHERE id = ?1 AND user_id = ?2 "
           "AND state = 'running'")
        .bind_all(job_id, user_id)
        .run();
    return db_->changes() == 1;
  });
}

void SqliteJobQueue::mark_cancelled(const std::string& job_id) {
  int64_t now = clock_.unix_ms();
  db_->write([&] { finish(job_id, "cancelled", now); });
}

std::optional<Job> SqliteJobQueue::get(const std::string& job_id) {
  return db_->read([&] { return load(job_id); });
}

void SqliteJobQueue::update_payload(const std::string& job_id, const std::string& payload) {
  db_->write([&] {
    db_->prepare("UPDATE jobs SET payload = ?2 WHERE id = ?1").bind_all(job_id, payload).run();
  });
}

std::vector<Job> SqliteJobQueue::user_jobs(int64_t user_id, bool unfinished_only) {
  return db_->read([&] {
    Statement q = db_->prepare("SELECT " + kColumns +
                               " FROM jobs WHERE user_id = ?1 AND (?2 = 0 OR state IN "
                               "('queued', 'running')) ORDER BY created_ms, id");
    q.bind_all(user_id, unfinished_only);
    std::vector<Job> out;
    while (q.step()) out.push_back(job_from_row(q));
    return out;
  });
}

int SqliteJobQueue::position(const std::string& job_id) {
  int64_t now = clock_.unix_ms();
  return db_->read([&] {
    auto me = load(job_id);
    if (!me || me->state != JobState::kQueued) return 0;
    // Ranking in C++ with claims_before() keeps one definition of the order for every
    // implementation; the queue holds at most thousands of queued jobs.
    Statement q = db_->prepare(
        "SELECT id, priority, created_ms FROM jobs WHERE state = 'queued' AND id != ?1");
    q.bind_all(job_id);
    int ahead = 0;
    while (q.step()) {
      Job other;
      other.id = q.text_at(0);
      other.priority = q.int_at(1);
      other.created_ms = q.int_at(2);
      if (claims_before(other, *me, now, options_.aging_per_s)) ++ahead;
    }
    return ahead + 1;
  });
}

QueueStats SqliteJobQueue::stats() {
  return db_->read([&] {
    QueueStats s;
    {
      Statement q = db_->prepare(
          "SELECT state, COUNT(*), SUM(MAX(attempts - 1, 0)) FROM jobs GROUP BY state");
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
    Statement q = db_->prepare(
        "SELECT started_ms - created_ms, finished_ms - started_ms FROM jobs "
        "WHERE state IN ('delivered', 'failed') AND started_ms > 0 "
        "ORDER BY finished_ms DESC LIMIT ?1");
    q.bind_all(options_.stats_window);
    std::vector<double> waits, runs;
    while (q.step()) {
      waits.push_back(static_cast<double>(q.int_at(0)));
      runs.push_back(static_cast<double>(q.int_at(1)));
    }
    s.wait_p50_ms = percentile(waits, 50);
    s.wait_p95_ms = percentile(waits, 95);
    s.run_p50_ms = percentile(runs, 50);
    s.run_p95_ms = percentile(runs, 95);
    return s;
  });
}

bool SqliteJobQueue::mark_step(const std::string& job_id, const std::string& step) {
  int64_t now = clock_.unix_ms();
  return db_->write([&] {
    db_->prepare("INSERT OR IGNORE INTO job_steps (job_id, step, done_ms) VALUES (?1, ?2, ?3)")
        .bind_all(job_id, step, now)
        .run();
    return db_->changes() == 1;
  });
}

bool SqliteJobQueue::step_done(const std::string& job_id, const std::string& step) {
  return db_->read([&] {
    Statement q = db_->prepare("SELECT 1 FROM job_steps WHERE job_id = ?1 AND step = ?2");
    q.bind_all(job_id, step);
    return q.step();
  });
}

bool SqliteJobQueue::first_time_update(int64_t update_id) {
  int64_t now = clock_.unix_ms();
  return db_->write([&] {
    if (due(last_update_prune_ms_, now)) {
      db_->prepare("DELETE FROM seen_updates WHERE seen_ms < ?1")
          .bind_all(now - options_.update_retention_ms)
          .run();
    }
    db_->prepare("INSERT OR IGNORE INTO seen_updates (update_id, seen_ms) VALUES (?1, ?2)")
        .bind_all(update_id, now)
        .run();
    return db_->changes() == 1;
  });
}

void SqliteJobQueue::forget_user(int64_t user_id) {
  db_->write([&] {
    db_->prepare(
           "DELETE FROM job_steps WHERE job_id IN (SELECT id FROM jobs WHERE user_id = ?1 "
           "AND state NOT IN ('queued', 'running'))")
        .bind_all(user_id)
        .run();
    db_->prepare("DELETE FROM jobs WHERE user_id = ?1 AND state NOT IN ('queued', 'running')")
        .bind_all(user_id)
        .run();
  });
}

}  // namespace tgscribe::store
