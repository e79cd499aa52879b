#include "store/memory/memory_job_state.h"

#include "store/job_store_rules.h"

namespace tgscribe::store {

int MemoryJobState::unfinished_jobs(int64_t user_id) const {
  int n = 0;
  for (const auto& [id, j] : jobs) {
    if (j.user_id == user_id && !is_finished(j.state)) ++n;
  }
  return n;
}

void MemoryJobState::add_entries(const std::vector<OutboxEntry>& entries, int64_t now) {
  for (const auto& in : entries) {
    if (outbox.count(in.id)) continue;
    OutboxEntry e = new_outbox_entry(in, next_seq++, now);
    pending[e.chat_id].emplace(e.seq, e.id);
    outbox.emplace(e.id, std::move(e));
  }
}

void MemoryJobState::withdraw_entry(const std::string& id, int64_t now) {
  auto it = id.empty() ? outbox.end() : outbox.find(id);
  if (it == outbox.end()) return;
  OutboxEntry& e = it->second;
  if (e.state != OutboxState::kPending || e.attempts != 0 || e.not_before_ms <= now) return;
  e.state = OutboxState::kDropped;
  e.last_error = "withdrawn: the job ended before it was due";
  auto chat = pending.find(e.chat_id);
  if (chat == pending.end()) return;
  chat->second.erase(e.seq);
  if (chat->second.empty()) pending.erase(chat);
}

void MemoryJobState::maybe_prune(int64_t now) {
  if (now - last_prune_ms < kPruneIntervalMs) return;
  last_prune_ms = now;
  while (!update_order.empty() && update_order.front().first + options.update_retention_ms < now) {
    updates.erase(update_order.front().second);
    update_order.pop_front();
  }
  std::erase_if(outbox, [&](const auto& kv) {
    const OutboxEntry& e = kv.second;
    return e.state != OutboxState::kPending && e.created_ms + kOutboxRetentionMs < now;
  });
  // Leases a dispatcher never released (it died) and nobody needed since.
  std::erase_if(chat_leases,
                [&](const auto& kv) { return kv.second.until_ms + kOutboxRetentionMs < now; });
  std::erase_if(jobs, [&](const auto& kv) {
    const Job& j = kv.second;
    return is_finished(j.state) && j.finished_ms + options.finished_retention_ms < now;
  });
}

}  // namespace tgscribe::store
