#include "store/memory/memory_outbox.h"

#include "store/job_store_rules.h"

namespace tgscribe::store {

void MemoryOutbox::add(const std::vector<OutboxEntry>& entries) {
  check_entries(entries);
  MemoryJobState& s = *state_;
  std::lock_guard lock(s.mutex);
  int64_t now = s.clock.unix_ms();
  s.add_entries(entries, now);
  s.maybe_prune(now);
}

std::optional<OutboxBatch> MemoryOutbox::claim(const std::string& owner,
                                               std::chrono::milliseconds lease, int max_entries) {
  MemoryJobState& s = *state_;
  std::lock_guard lock(s.mutex);
  int64_t now = s.clock.unix_ms();
  int64_t best_chat = 0, best_seq = 0;
  int best_priority = 0;
  bool found = false;
  for (const auto& [chat, order] : s.pending) {
    if (order.empty()) continue;
    const auto& [first_seq, first_id] = *order.begin();
    const OutboxEntry& first = s.outbox.at(first_id);
    if (first.not_before_ms > now) continue;
    auto l = s.chat_leases.find(chat);
    if (l != s.chat_leases.end() && l->second.owner != owner && l->second.until_ms >= now) {
      continue;
    }
    // First replies first, then the oldest.
    if (!found || first.priority > best_priority ||
        (first.priority == best_priority && first_seq < best_seq)) {
      found = true;
      best_chat = chat;
      best_seq = first_seq;
      best_priority = first.priority;
    }
  }
  if (!found) return std::nullopt;
  s.chat_leases[best_chat] = {owner, now + lease.count()};
  OutboxBatch batch;
  batch.chat_id = best_chat;
  for (const auto& [seq, id] : s.pending[best_chat]) {
    const OutboxEntry& e = s.outbox.at(id);
    if (static_cast<int>(batch.entries.size()) >= max_entries || e.not_before_ms > now) break;
    // Lower priority: other chats' first replies go before the rest of this one.
    if (e.priority < best_priority) break;
    batch.entries.push_back(e);
  }
  return batch;
}

bool MemoryOutbox::renew(int64_t chat_id, const std::string& owner,
                         std::chrono::milliseconds lease) {
  MemoryJobState& s = *state_;
  std::lock_guard lock(s.mutex);
  auto l = s.chat_leases.find(chat_id);
  // Still ours even when the lease ran out, as long as nobody claimed the chat since.
  if (l == s.chat_leases.end() || l->second.owner != owner) return false;
  l->second.until_ms = s.clock.unix_ms() + lease.count();
  return true;
}

void MemoryOutbox::release(int64_t chat_id, const std::string& owner) {
  std::lock_guard lock(state_->mutex);
  auto l = state_->chat_leases.find(chat_id);
  if (l != state_->chat_leases.end() && l->second.owner == owner) state_->chat_leases.erase(l);
}

OutboxEntry* MemoryOutbox::pending_entry(const std::string& id) {
  auto it = state_->outbox.find(id);
  if (it == state_->outbox.end() || it->second.state != OutboxState::kPending) return nullptr;
  return &it->second;
}

void MemoryOutbox::settle(OutboxEntry& e, OutboxState state) {
  e.state = state;
  auto chat = state_->pending.find(e.chat_id);
  if (chat == state_->pending.end()) return;
  chat->second.erase(e.seq);
  if (chat->second.empty()) state_->pending.erase(chat);
}

void MemoryOutbox::mark_sent(const std::string& id, int64_t message_id) {
  std::lock_guard lock(state_->mutex);
  OutboxEntry* e = pending_entry(id);
  if (!e) return;
  e->message_id = message_id;
  settle(*e, OutboxState::kSent);
}

void MemoryOutbox::mark_retry(const std::string& id, const std::string& error,
                              int64_t not_before_ms) {
  std::lock_guard lock(state_->mutex);
  OutboxEntry* e = pending_entry(id);
  if (!e) return;
  e->attempts += 1;
  e->last_error = error;
  e->not_before_ms = not_before_ms;
}

void MemoryOutbox::mark_dropped(const std::string& id, const std::string& error) {
  std::lock_guard lock(state_->mutex);
  OutboxEntry* e = pending_entry(id);
  if (!e) return;
  e->last_error = error;
  settle(*e, OutboxState::kDropped);
}

std::optional<OutboxEntry> MemoryOutbox::get(const std::string& id) {
  std::lock_guard lock(state_->mutex);
  auto it = state_->outbox.find(id);
  if (it == state_->outbox.end()) return std::nullopt;
  return it->second;
}

int64_t MemoryOutbox::pending() {
  std::lock_guard lock(state_->mutex);
  int64_t n = 0;
  for (const auto& [chat, order] : state_->pending) n += static_cast<int64_t>(order.size());
  return n;
}

}  // namespace tgscribe::store
