#pragma once
// Rules every JobStores backend (memory, SQLite, Redis) applies the same way, so the typed
// suites hold for all of them: what admit() stores, what the outbox stores, when pruning runs.
#include <cstdint>
#include <string>
#include <vector>

#include "store/job.h"
#include "store/job_admin.h"
#include "store/job_queue.h"
#include "store/outbox.h"
#include "store/update_log.h"

namespace tgscribe::store {

// Sent and dropped outbox entries stay this long (a later edit may need a message id), then
// they are pruned. Ids are derived from admitted updates and fenced claims, so an entry is
// never written again this late.
constexpr int64_t kOutboxRetentionMs = 2LL * 24 * 3600 * 1000;
// Pruning runs lazily inside a write, at most this often.
constexpr int64_t kPruneIntervalMs = 60'000;

// The job as admit() stores it: queued (or finished as given, e.g. a cache hit), never
// claimed, created now unless the caller set a time. Throws std::invalid_argument for an
// empty id or a kRunning state.
Job admitted_job(const Admission& admission, int64_t now_ms);

// Throws std::invalid_argument when an entry has no id: checked before anything is written.
void check_entries(const std::vector<OutboxEntry>& entries);

// The refusal entries with "{unfinished}" in their bodies replaced by the count.
std::vector<OutboxEntry> refusal_entries(const std::vector<OutboxEntry>& refusal, int unfinished);

// The entry as the outbox stores it: pending, never tried, with the given seq.
OutboxEntry new_outbox_entry(const OutboxEntry& in, int64_t seq, int64_t now_ms);

// Throws std::invalid_argument for an outcome that does not end a claim (kRunning), or a
// deferral that does not go back to the queue.
void check_outcome(const JobOutcome& outcome);

// Fills the stats' wait and run percentiles (p50, p95) from the waits and runs (ms) of the most
// recently finished jobs (the stats window).
void set_duration_percentiles(QueueStats& stats, const std::vector<double>& waits,
                              const std::vector<double>& runs);

// --- JobAdmin (job_admin.h) ---

// The last_error of a queued job an operator cancelled.
constexpr const char* kCancelledByOperator = "cancelled by the operator";

// A page size within 1..kMaxJobListLimit.
int clamp_list_limit(int limit);

// A failed or cancelled job as JobAdmin::retry leaves it: queued, runnable now, with a fresh
// budget. last_error stays, so `jobs show` still says why it had failed.
void requeue_for_retry(Job& j);

// Finished (delivered, failed, cancelled) before `cutoff_ms`.
bool purgeable(const Job& j, int64_t cutoff_ms);

}  // namespace tgscribe::store
