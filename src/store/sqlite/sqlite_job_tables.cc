#include "store/sqlite/sqlite_job_tables.h"

#include "store/job_store_rules.h"

namespace tgscribe::store {

const std::string kJobColumns =
    "id, update_id, user_id, chat_id, priority, state, attempts, created_ms, started_ms, "
    "finished_ms, not_before_ms, lease_until_ms, cancel_requested, last_error, worker_id, payload, "
    "budget_base";

Job job_from_row(const Statement& q) {
  Job j;
  j.id = q.text_at(0);
  j.update_id = q.int_at(1);
  j.user_id = q.int_at(2);
  j.chat_id = q.int_at(3);
  j.priority = q.int_at(4);
  j.state = job_state_from_string(q.text_at(5));
  j.attempts = static_cast<int>(q.int_at(6));
  j.created_ms = q.int_at(7);
  j.started_ms = q.int_at(8);
  j.finished_ms = q.int_at(9);
  j.not_before_ms = q.int_at(10);
  j.lease_until_ms = q.int_at(11);
  j.cancel_requested = q.int_at(12) != 0;
  j.last_error = q.text_at(13);
  j.worker_id = q.text_at(14);
  j.payload = q.text_at(15);
  j.budget_base = static_cast<int>(q.int_at(16));
  return j;
}

const std::string kOutboxColumns =
    "id, chat_id, job_id, body, seq, created_ms, state, message_id, attempts, not_before_ms, "
    "last_error, priority";

OutboxEntry entry_from_row(const Statement& q) {
  OutboxEntry e;
  e.id = q.text_at(0);
  e.chat_id = q.int_at(1);
  e.job_id = q.text_at(2);
  e.body = q.text_at(3);
  e.seq = q.int_at(4);
  e.created_ms = q.int_at(5);
  e.state = outbox_state_from_string(q.text_at(6));
  e.message_id = q.int_at(7);
  e.attempts = static_cast<int>(q.int_at(8));
  e.not_before_ms = q.int_at(9);
  e.last_error = q.text_at(10);
  e.priority = static_cast<int>(q.int_at(11));
  return e;
}

std::optional<Job> SqliteJobTables::load_job(const std::string& job_id) {
  Statement q = db->prepare("SELECT " + kJobColumns + " FROM jobs WHERE id = ?1");
  q.bind_all(job_id);
  if (!q.step()) return std::nullopt;
  return job_from_row(q);
}

void SqliteJobTables::insert_job(const Job& j) {
  db->prepare(
        "INSERT INTO jobs (" + kJobColumns +
        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)")
      .bind_all(j.id, j.update_id, j.user_id, j.chat_id, j.priority, to_string(j.state), j.attempts,
                j.created_ms, j.started_ms, j.finished_ms, j.not_before_ms, j.lease_until_ms,
                j.cancel_requested, j.last_error, j.worker_id, j.payload, j.budget_base)
      .run();
}

int SqliteJobTables::unfinished_jobs(int64_t user_id) {
  Statement c = db->prepare(
      "SELECT COUNT(*) FROM jobs WHERE user_id = ?1 AND state IN ('queued', 'running')");
  c.bind_all(user_id);
  return c.step() ? static_cast<int>(c.int_at(0)) : 0;
}

void SqliteJobTables::add_entries(const std::vector<OutboxEntry>& entries, int64_t now) {
  for (const auto& in : entries) {
    OutboxEntry e = new_outbox_entry(in, 0, now);
    // OR IGNORE: an id present already keeps its row, seq included.
    db->prepare(
          "INSERT OR IGNORE INTO outbox (id, chat_id, job_id, body, state, message_id, "
          "attempts, not_before_ms, created_ms, last_error, priority) "
          "VALUES (?1, ?2, ?3, ?4, 'pending', 0, 0, ?5, ?6, '', ?7)")
        .bind_all(e.id, e.chat_id, e.job_id, e.body, e.not_before_ms, e.created_ms, e.priority)
        .run();
  }
}

void SqliteJobTables::withdraw_entry(const std::string& id, int64_t now) {
  if (id.empty()) return;
  db->prepare(
        "UPDATE outbox SET state = 'dropped', "
        "last_error = 'withdrawn: the job ended before it was due' "
        "WHERE id = ?1 AND state = 'pending' AND attempts = 0 AND not_before_ms > ?2")
      .bind_all(id, now)
      .run();
}

std::optional<OutboxEntry> SqliteJobTables::load_entry(const std::string& id) {
  Statement q = db->prepare("SELECT " + kOutboxColumns + " FROM outbox WHERE id = ?1");
  q.bind_all(id);
  if (!q.step()) return std::nullopt;
  return entry_from_row(q);
}

void SqliteJobTables::maybe_prune(int64_t now) {
  int64_t last = last_prune_ms.load();
  if (now - last < kPruneIntervalMs || !last_prune_ms.compare_exchange_strong(last, now)) return;
  db->prepare("DELETE FROM updates WHERE admitted_ms < ?1")
      .bind_all(now - options.update_retention_ms)
      .run();
  db->prepare("DELETE FROM outbox WHERE state != 'pending' AND created_ms < ?1")
      .bind_all(now - kOutboxRetentionMs)
      .run();
  // Leases a dispatcher never released (it died) and nobody needed since.
  db->prepare("DELETE FROM outbox_chats WHERE lease_until_ms < ?1")
      .bind_all(now - kOutboxRetentionMs)
      .run();
  db->prepare(
        "DELETE FROM jobs WHERE finished_ms > 0 AND finished_ms < ?1 "
        "AND state NOT IN ('queued', 'running')")
      .bind_all(now - options.finished_retention_ms)
      .run();
}

}  // namespace tgscribe::store
