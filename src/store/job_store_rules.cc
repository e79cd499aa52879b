#include "store/job_store_rules.h"

#include <algorithm>
#include <stdexcept>

#include "store/queue_policy.h"

namespace tgscribe::store {

Job admitted_job(const Admission& admission, int64_t now_ms) {
  if (!admission.job) throw std::invalid_argument("admitted_job: no job");
  Job j = *admission.job;
  if (j.id.empty()) throw std::invalid_argument("admit: job id is empty");
  if (j.state == JobState::kRunning) throw std::invalid_argument("admit: job cannot be running");
  if (j.update_id == 0) j.update_id = admission.update_id;
  if (j.created_ms == 0) j.created_ms = now_ms;
  j.attempts = 0;
  j.budget_base = 0;
  j.started_ms = 0;
  j.lease_until_ms = 0;
  j.cancel_requested = false;
  j.worker_id.clear();
  if (is_finished(j.state)) {
    if (j.finished_ms == 0) j.finished_ms = now_ms;
  } else {
    j.finished_ms = 0;
  }
  return j;
}

void check_entries(const std::vector<OutboxEntry>& entries) {
  for (const auto& e : entries) {
    if (e.id.empty()) throw std::invalid_argument("outbox: entry id is empty");
  }
}

std::vector<OutboxEntry> refusal_entries(const std::vector<OutboxEntry>& refusal, int unfinished) {
  static const std::string kPlaceholder = "{unfinished}";
  const std::string count = std::to_string(unfinished);
  std::vector<OutboxEntry> out = refusal;
  for (auto& e : out) {
    for (size_t pos = e.body.find(kPlaceholder); pos != std::string::npos;
         pos = e.body.find(kPlaceholder, pos + count.size())) {
      e.body.replace(pos, kPlaceholder.size(), count);
    }
  }
  return out;
}

OutboxEntry new_outbox_entry(const OutboxEntry& in, int64_t seq, int64_t now_ms) {
  OutboxEntry e;
  e.id = in.id;
  e.chat_id = in.chat_id;
  e.job_id = in.job_id;
  e.body = in.body;
  e.seq = seq;
  e.created_ms = now_ms;
  e.state = OutboxState::kPending;
  e.not_before_ms = in.not_before_ms;
  e.priority = in.priority;
  return e;
}

void check_outcome(const JobOutcome& outcome) {
  if (outcome.state == JobState::kRunning) {
    throw std::invalid_argument("finish: running is not an outcome");
  }
  if (outcome.deferred && outcome.state != JobState::kQueued) {
    throw std::invalid_argument("finish: only a queued outcome can be a deferral");
  }
}

int clamp_list_limit(int limit) { return std::clamp(limit, 1, kMaxJobListLimit); }

void requeue_for_retry(Job& j) {
  j.state = JobState::kQueued;
  j.budget_base = j.attempts;
  j.not_before_ms = 0;
  j.lease_until_ms = 0;
  j.finished_ms = 0;
  j.cancel_requested = false;
  j.worker_id.clear();
}

bool purgeable(const Job& j, int64_t cutoff_ms) {
  return is_finished(j.state) && j.finished_ms > 0 && j.finished_ms < cutoff_ms;
}

void set_duration_percentiles(QueueStats& stats, const std::vector<double>& waits,
                              const std::vector<double>& runs) {
  stats.wait_p50_ms = percentile(waits, 50);
  stats.wait_p95_ms = percentile(waits, 95);
  stats.run_p50_ms = percentile(runs, 50);
  stats.run_p95_ms = percentile(runs, 95);
}

}  // namespace tgscribe::store
