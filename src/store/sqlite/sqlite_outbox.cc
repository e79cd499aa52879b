#include "store/sqlite/sqlite_outbox.h"

#include "store/job_store_rules.h"

namespace tgscribe::store {

void SqliteOutbox::add(const std::vector<OutboxEntry>& entries) {
  check_entries(entries);
  int64_t now = t_->clock.unix_ms();
  t_->db->write([&] {
    t_->add_entries(entries, now);
    t_->maybe_prune(now);
  });
}

std::optional<OutboxBatch> SqliteOutbox::claim(const std::string& owner,
                                               std::chrono::milliseconds lease, int max_entries) {
  SqliteDb& db = *t_->db;
  int64_t now = t_->clock.unix_ms();
  return db.write([&]() -> std::optional<OutboxBatch> {
    // Each chat's first pending entry; the chat is claimable when that one is due and the
    // chat's lease is free, ours, or ran out. First replies first, then the oldest.
    Statement q = db.prepare(
        "SELECT o.chat_id, o.priority FROM outbox o "
        "JOIN (SELECT chat_id, MIN(seq) AS seq FROM outbox WHERE state = 'pending' "
        "      GROUP BY chat_id) f ON o.seq = f.seq "
        "LEFT JOIN outbox_chats c ON c.chat_id = o.chat_id "
        "WHERE o.not_before_ms <= ?1 "
        "AND (c.chat_id IS NULL OR c.owner = ?2 OR c.lease_until_ms < ?1) "
        "ORDER BY o.priority DESC, o.seq LIMIT 1");
    q.bind_all(now, owner);
    if (!q.step()) return std::nullopt;
    OutboxBatch batch;
    batch.chat_id = q.int_at(0);
    const int64_t first_priority = q.int_at(1);
    db.prepare(
          "INSERT INTO outbox_chats (chat_id, owner, lease_until_ms) VALUES (?1, ?2, ?3) "
          "ON CONFLICT (chat_id) DO UPDATE SET owner = ?2, lease_until_ms = ?3")
        .bind_all(batch.chat_id, owner, now + lease.count())
        .run();
    Statement e = db.prepare("SELECT " + kOutboxColumns +
                             " FROM outbox WHERE state = 'pending' AND chat_id = ?1 "
                             "ORDER BY seq LIMIT ?2");
    e.bind_all(batch.chat_id, max_entries);
    while (e.step()) {
      OutboxEntry entry = entry_from_row(e);
      if (entry.not_before_ms > now) break;  // order is kept: later ones wait behind it
      // Lower priority: other chats' first replies go before the rest of this one.
      if (entry.priority < first_priority) break;
      batch.entries.push_back(std::move(entry));
    }
    return batch;
  });
}

bool SqliteOutbox::renew(int64_t chat_id, const std::string& owner,
                         std::chrono::milliseconds lease) {
  SqliteDb& db = *t_->db;
  int64_t now = t_->clock.unix_ms();
  // Still ours even when the lease ran out, as long as nobody claimed the chat since.
  return db.write([&] {
    db.prepare("UPDATE outbox_chats SET lease_until_ms = ?3 WHERE chat_id = ?1 AND owner = ?2")
        .bind_all(chat_id, owner, now + lease.count())
        .run();
    return db.changes() == 1;
  });
}

void SqliteOutbox::release(int64_t chat_id, const std::string& owner) {
  SqliteDb& db = *t_->db;
  db.write([&] {
    db.prepare("DELETE FROM outbox_chats WHERE chat_id = ?1 AND owner = ?2")
        .bind_all(chat_id, owner)
        .run();
  });
}

void SqliteOutbox::mark_sent(const std::string& id, int64_t message_id) {
  SqliteDb& db = *t_->db;
  db.write([&] {
    db.prepare(
          "UPDATE outbox SET state = 'sent', message_id = ?2 WHERE id = ?1 AND state = 'pending'")
        .bind_all(id, message_id)
        .run();
  });
}

void SqliteOutbox::mark_retry(const std::string& id, const std::string& error,
                              int64_t not_before_ms) {
  SqliteDb& db = *t_->db;
  db.write([&] {
    db.prepare(
          "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, not_before_ms = ?3 "
          "WHERE id = ?1 AND state = 'pending'")
        .bind_all(id, error, not_before_ms)
        .run();
  });
}

void SqliteOutbox::mark_dropped(const std::string& id, const std::string& error) {
  SqliteDb& db = *t_->db;
  db.write([&] {
    db.prepare(
          "UPDATE outbox SET state = 'dropped', last_error = ?2 WHERE id = ?1 "
          "AND state = 'pending'")
        .bind_all(id, error)
        .run();
  });
}

std::optional<OutboxEntry> SqliteOutbox::get(const std::string& id) {
  return t_->db->read([&] { return t_->load_entry(id); });
}

int64_t SqliteOutbox::pending() {
  SqliteDb& db = *t_->db;
  return db.read([&] {
    Statement q = db.prepare("SELECT COUNT(*) FROM outbox WHERE state = 'pending'");
    return q.step() ? q.int_at(0) : int64_t{0};
  });
}

}  // namespace tgscribe::store
