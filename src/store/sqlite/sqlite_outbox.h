#pragma once
// Durable outbox in DATA_DIR/tgscribe.db: entries and chat leases are rows, so messages
// written before kill -9 are sent after the restart, and two processes never send to one chat
// at once.
#include <memory>

#include "store/outbox.h"
#include "store/sqlite/sqlite_job_tables.h"

namespace tgscribe::store {

class SqliteOutbox : public Outbox {
 public:
  explicit SqliteOutbox(std::shared_ptr<SqliteJobTables> tables) : t_(std::move(tables)) {}

  void add(const std::vector<OutboxEntry>& entries) override;
  std::optional<OutboxBatch> claim(const std::string& owner, std::chrono::milliseconds lease,
                                   int max_entries) override;
  bool renew(int64_t chat_id, const std::string& owner, std::chrono::milliseconds lease) override;
  void release(int64_t chat_id, const std::string& owner) override;
  void mark_sent(const std::string& id, int64_t message_id) override;
  void mark_retry(const std::string& id, const std::string& error, int64_t not_before_ms) override;
  void mark_dropped(const std::string& id, const std::string& error) override;
  std::optional<OutboxEntry> get(const std::string& id) override;
  int64_t pending() override;
  bool healthy() override { return t_->db->healthy(); }

 private:
  std::shared_ptr<SqliteJobTables> t_;
};

}  // namespace tgscribe::store
