#pragma once
// What the three memory job stores share: jobs, admitted updates and the outbox behind one
// mutex, so admit() and finish() change jobs and outbox entries in one step, as the durable
// backends do in one transaction. Every operation is short.
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "store/job.h"
#include "store/outbox.h"
#include "store/queue_policy.h"

namespace tgscribe::store {

struct MemoryJobState {
  MemoryJobState(Clock& c, QueueOptions o) : clock(c), options(o) {}

  struct ChatLease {
    std::string owner;
    int64_t until_ms = 0;
  };

  Clock& clock;
  const QueueOptions options;
  std::mutex mutex;
  std::unordered_map<std::string, Job> jobs;                  // guarded by mutex
  std::map<int64_t, int64_t> updates;                         // id -> admitted ms; guarded
  std::deque<std::pair<int64_t, int64_t>> update_order;       // (admitted ms, id); guarded
  std::unordered_map<std::string, OutboxEntry> outbox;        // by id; guarded
  std::map<int64_t, std::map<int64_t, std::string>> pending;  // chat -> seq -> id; guarded
  std::unordered_map<int64_t, ChatLease> chat_leases;         // guarded
  int64_t next_seq = 1;                                       // guarded
  int64_t last_prune_ms = 0;                                  // guarded

  // The rest: with mutex held.
  int unfinished_jobs(int64_t user_id) const;
  // Adds the entries whose ids are new, in order (callers checked them with check_entries).
  void add_entries(const std::vector<OutboxEntry>& entries, int64_t now);
  // JobOutcome::withdraw: drops the entry when it is pending, never tried and not due yet.
  void withdraw_entry(const std::string& id, int64_t now);
  // Drops old updates, old sent/dropped entries and old finished jobs, at most once a minute.
  void maybe_prune(int64_t now);
};

}  // namespace tgscribe::store
