#pragma once
// What the three SQLite job stores share: the connection, the clock, and the row helpers for
// the jobs, updates and outbox tables that admit() and finish() write in one transaction.
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "store/job.h"
#include "store/outbox.h"
#include "store/queue_policy.h"
#include "store/sqlite/sqlite_db.h"

namespace tgscribe::store {

struct SqliteJobTables {
  SqliteJobTables(std::shared_ptr<SqliteDb> d, Clock& c, QueueOptions o)
      : db(std::move(d)), clock(c), options(o) {}

  std::shared_ptr<SqliteDb> db;
  Clock& clock;
  const QueueOptions options;
  // Pruning runs at most once a minute, inside the transaction of the write that triggers it.
  std::atomic<int64_t> last_prune_ms{0};

  // The rest: inside db->write() or db->read().
  std::optional<Job> load_job(const std::string& job_id);
  void insert_job(const Job& j);
  int unfinished_jobs(int64_t user_id);
  // Adds the entries whose ids are new, in order (callers checked them with check_entries).
  void add_entries(const std::vector<OutboxEntry>& entries, int64_t now);
  std::optional<OutboxEntry> load_entry(const std::string& id);
  // JobOutcome::withdraw: drops the entry when it is pending, never tried and not due yet.
  void withdraw_entry(const std::string& id, int64_t now);
  // Drops old updates, old sent/dropped entries and old finished jobs, at most once a minute.
  void maybe_prune(int64_t now);
};

// The columns job_from_row() reads, in order.
extern const std::string kJobColumns;
Job job_from_row(const Statement& q);
// The columns entry_from_row() reads, in order.
extern const std::string kOutboxColumns;
OutboxEntry entry_from_row(const Statement& q);

}  // namespace tgscribe::store
