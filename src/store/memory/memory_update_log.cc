#include "store/memory/memory_update_log.h"

#include "store/job_store_rules.h"

namespace tgscribe::store {

AdmitResult MemoryUpdateLog::admit(const Admission& admission) {
  check_entries(admission.messages);
  check_entries(admission.refusal);
  std::optional<Job> job;
  MemoryJobState& s = *state_;
  std::lock_guard lock(s.mutex);
  int64_t now = s.clock.unix_ms();
  if (admission.job) job = admitted_job(admission, now);

  AdmitResult r;
  if (admission.update_id != 0 && s.updates.count(admission.update_id)) r.duplicate = true;
  // The same job id again (an update admitted before its record was pruned, or a caller
  // without an update id) is a repeat as well: the work exists.
  if (job && s.jobs.count(job->id)) r.duplicate = true;
  if (job) r.unfinished = s.unfinished_jobs(job->user_id);
  if (r.duplicate) return r;

  const std::vector<OutboxEntry>* messages = &admission.messages;
  std::vector<OutboxEntry> refusal;
  if (job) {
    // A job admitted finished (a cache hit) takes no slot, so the limit does not apply.
    bool limited = !is_finished(job->state) && admission.per_user_limit > 0 &&
                   r.unfinished >= admission.per_user_limit;
    if (limited) {
      refusal = refusal_entries(admission.refusal, r.unfinished);
      messages = &refusal;
    } else {
      r.accepted = true;
      if (!is_finished(job->state)) ++r.unfinished;
      std::string id = job->id;
      s.jobs.emplace(id, std::move(*job));
    }
  }
  s.add_entries(*messages, now);
  if (admission.update_id != 0) {
    s.updates.emplace(admission.update_id, now);
    s.update_order.emplace_back(now, admission.update_id);
  }
  s.maybe_prune(now);
  return r;
}

bool MemoryUpdateLog::seen(int64_t update_id) {
  std::lock_guard lock(state_->mutex);
  return state_->updates.count(update_id) > 0;
}

}  // namespace tgscribe::store
