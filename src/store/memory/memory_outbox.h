#pragma once
// In-process outbox (QUEUE_TYPE=memory): nothing survives a restart.
#include <memory>

#include "store/memory/memory_job_state.h"
#include "store/outbox.h"

namespace tgscribe::store {

class MemoryOutbox : public Outbox {
 public:
  explicit MemoryOutbox(std::shared_ptr<MemoryJobState> state) : state_(std::move(state)) {}

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
  bool healthy() override { return true; }

 private:
  // The entry when it is still pending, else nullptr. With the mutex held.
  OutboxEntry* pending_entry(const std::string& id);
  // Takes a pending entry out of its chat's order. With the mutex held.
  void settle(OutboxEntry& e, OutboxState state);

  std::shared_ptr<MemoryJobState> state_;
};

}  // namespace tgscribe::store
