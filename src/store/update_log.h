#pragma once
// Admission: the one transaction in which an update becomes work. The update's record and
// everything it produces (a job, the replies it causes) are written together, with ids
// derived from the update, so an update that Telegram delivers again (after a crash, a lost
// HTTP answer, a restart) finds its work done and adds nothing. The poller confirms the
// offset, and the webhook answers 200, only after admit() returned.
//
// Implementations: memory, SQLite, Redis; one typed suite (update_log_test.cc) runs on all.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/job.h"
#include "store/outbox.h"

namespace tgscribe::store {

struct Admission {
  int64_t update_id = 0;
  // A job to enqueue. A job admitted in a finished state (a cache hit: kDelivered) is stored
  // as it is and is not counted against the per-user limit.
  std::optional<Job> job;
  int per_user_limit = 0;  // unfinished jobs one user may have; <= 0: no limit
  // Written with the job, or alone when there is no job.
  std::vector<OutboxEntry> messages;
  // Written instead of `messages` when the per-user limit refuses the job. The text
  // "{unfinished}" in a body is replaced by the user's count of unfinished jobs.
  std::vector<OutboxEntry> refusal;
};

struct AdmitResult {
  bool duplicate = false;  // this update was admitted before: nothing was written
  bool accepted = false;   // the job was stored (false: refused by the limit, or no job)
  int unfinished = 0;      // the user's queued+running jobs after this admission
};

class UpdateLog {
 public:
  virtual ~UpdateLog() = default;

  virtual AdmitResult admit(const Admission& admission) = 0;
  // True when the update was admitted before (a cheap read before building an admission).
  virtual bool seen(int64_t update_id) = 0;
  virtual bool healthy() = 0;
};

}  // namespace tgscribe::store
