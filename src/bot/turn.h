#pragma once
// What one update produces, collected while it is routed and then written by one
// UpdateLog::admit: the replies it causes and at most one job. Nothing is sent while routing;
// the outbox sends it once it is committed, so intake never waits on Telegram and an update
// delivered again finds its work instead of doing it twice.
#include <cstdint>
#include <string>
#include <vector>

#include "store/update_log.h"
#include "telegram/types.h"

namespace tgscribe::bot {

class Turn {
 public:
  explicit Turn(int64_t update_id) { admission_.update_id = update_id; }

  int64_t update_id() const { return admission_.update_id; }
  // A reply to `m` in its chat and forum topic (id "u<update>:r<n>").
  void reply(const telegram::Message& m, const std::string& text);
  // The job this update asks for, what is said when it is accepted, and what is said instead
  // when the per-user limit refuses it ("{unfinished}" becomes the user's count).
  void set_job(store::Job job, int per_user_limit, std::vector<store::OutboxEntry> on_accept,
               std::vector<store::OutboxEntry> on_refusal);
  // Messages written with the admission whatever happens (e.g. a cache-hit answer).
  void add(store::OutboxEntry entry);

  bool empty() const { return !admission_.job && admission_.messages.empty(); }
  bool has_job() const { return admission_.job.has_value(); }
  const store::Admission& admission() const { return admission_; }

 private:
  store::Admission admission_;
  int replies_ = 0;
};

// The id of the job an update admits: derived from the update (so a redelivered update finds
// its own job), hex like the ids users see in /status and type in /cancel. Used for a
// /transcribe reply: each request is its own job (another user may ask again).
std::string job_id_for_update(int64_t update_id);
// The id of the job a media message admits for itself (sent to a private chat, in an auto
// group, or captioned /transcribe): derived from the message, so the edited_message of it
// (and any redelivery) finds the same job and the admission is a duplicate.
std::string job_id_for_message(int64_t chat_id, int64_t message_id);

}  // namespace tgscribe::bot
