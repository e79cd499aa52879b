#include "store/sqlite/sqlite_update_log.h"

#include "store/job_store_rules.h"

namespace tgscribe::store {

AdmitResult SqliteUpdateLog::admit(const Admission& admission) {
  check_entries(admission.messages);
  check_entries(admission.refusal);
  SqliteDb& db = *t_->db;
  int64_t now = t_->clock.unix_ms();
  std::optional<Job> job;
  if (admission.job) job = admitted_job(admission, now);
  // The check, the count and the inserts share one write transaction: two processes cannot
  // both admit one update, nor both see "limit - 1" and both insert.
  return db.write([&]() -> AdmitResult {
    AdmitResult r;
    if (admission.update_id != 0) {
      Statement q = db.prepare("SELECT 1 FROM updates WHERE update_id = ?1");
      q.bind_all(admission.update_id);
      r.duplicate = q.step();
    }
    // The same job id again (an update admitted before its record was pruned, or a caller
    // without an update id) is a repeat as well: the work exists.
    if (job && !r.duplicate) {
      Statement q = db.prepare("SELECT 1 FROM jobs WHERE id = ?1");
      q.bind_all(job->id);
      r.duplicate = q.step();
    }
    if (job) r.unfinished = t_->unfinished_jobs(job->user_id);
    if (r.duplicate) return r;

    if (job) {
      // A job admitted finished (a cache hit) takes no slot, so the limit does not apply.
      bool limited = !is_finished(job->state) && admission.per_user_limit > 0 &&
                     r.unfinished >= admission.per_user_limit;
      if (limited) {
        t_->add_entries(refusal_entries(admission.refusal, r.unfinished), now);
      } else {
        r.accepted = true;
        if (!is_finished(job->state)) ++r.unfinished;
        t_->insert_job(*job);
        t_->add_entries(admission.messages, now);
      }
    } else {
      t_->add_entries(admission.messages, now);
    }
    if (admission.update_id != 0) {
      db.prepare("INSERT INTO updates (update_id, admitted_ms, job_id) VALUES (?1, ?2, ?3)")
          .bind_all(admission.update_id, now, r.accepted ? job->id : std::string())
          .run();
    }
    t_->maybe_prune(now);
    return r;
  });
}

bool SqliteUpdateLog::seen(int64_t update_id) {
  return t_->db->read([&] {
    Statement q = t_->db->prepare("SELECT 1 FROM updates WHERE update_id = ?1");
    q.bind_all(update_id);
    return q.step();
  });
}

}  // namespace tgscribe::store
