#pragma once
// Admission of one media message, as part of its update's Turn: size and duration limits,
// the file_unique_id cache (a hit becomes a job admitted already delivered, its transcript in
// the outbox: no download, no queue), else a queued job under the per-user limit with its
// status reply. Nothing here talks to Telegram.
#include "bot/bot_env.h"
#include "bot/turn.h"
#include "jobs/job_payload.h"
#include "jobs/transcript_messages.h"
#include "telegram/types.h"

namespace tgscribe::bot {

class Intake {
 public:
  explicit Intake(BotEnv& env);

  // `request` asked for the transcript (the media message itself, or a /transcribe reply to
  // it); `media_msg` carries the media.
  void submit(Turn& turn, const telegram::Message& request, const telegram::Message& media_msg);
  // What a job on `media_msg` asked by `request` carries (also an action job's base).
  jobs::JobPayload payload(const telegram::Message& request, const telegram::Message& media_msg,
                           Lang lang);

 private:
  bool refused_by_limits(Turn& turn, const telegram::MediaRef& media,
                         const telegram::Message& media_msg, Lang lang);
  bool answer_from_cache(Turn& turn, store::Job job, const jobs::JobPayload& p);
  // QUOTA_USER_DAILY_MIN / QUOTA_GLOBAL_DAILY_MIN, with the duration Telegram states: a
  // media message over a quota is refused here, before anything is downloaded.
  bool refused_by_quota(Turn& turn, const telegram::MediaRef& media,
                        const telegram::Message& media_msg, Lang lang, int64_t user_id);

  // "\n🕒 Ready in about …" for the status reply (jobs/status_reporter_eta.h); "" when
  // nothing is known to estimate from.
  std::string eta_suffix(Lang lang, const store::QueueStats& stats, int64_t duration_s);

  BotEnv& env_;
  jobs::TranscriptMessages messages_;
};

}  // namespace tgscribe::bot
