#pragma once
// Admission of one media message: size and duration limits, the file_unique_id cache (a hit
// is answered at once, without download or queue), then a durable enqueue under the per-user
// limit and the status reply.
#include <functional>

#include "bot/bot_env.h"
#include "bot/delivery.h"
#include "bot/job_payload.h"
#include "telegram/types.h"

namespace tgscribe::bot {

class Intake {
 public:
  // `wake` tells local workers a job is waiting (may be empty).
  Intake(BotEnv& env, Delivery& delivery, std::function<void()> wake = {});

  // `request` asked for the transcript (the media message itself, or a /transcribe reply to
  // it); `media_msg` carries the media. Answers the user as needed. Throws when the queue
  // cannot store the job, so the update is not confirmed and comes again.
  void submit(const telegram::Message& request, const telegram::Message& media_msg);

 private:
  bool answer_from_cache(const telegram::MediaRef& media, const JobPayload& p);

  BotEnv& env_;
  Delivery& delivery_;
  std::function<void()> wake_;
};

}  // namespace tgscribe::bot
