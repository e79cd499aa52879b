#pragma once
// Admission of action jobs (jobs/actions.h): a tap on a button under a transcript
// (callback_query) or /summary, /translate [LANG] as a reply to a transcript or a media
// message. An action job goes the transcript's way — admitted in the update's Turn, claimed,
// retried, delivered through the outbox — with an id derived from (source, action, target), so
// a repeated tap or command finds the job that exists and gets one result.
//
// The tap itself is answered by UpdateRouter (answerCallbackQuery) once the admission committed,
// with what `Tap` says: on its way, already on its way, already sent, or why not.
#include <optional>
#include <string>

#include "bot/bot_env.h"
#include "bot/intake.h"
#include "bot/turn.h"
#include "jobs/actions.h"
#include "telegram/types.h"

namespace tgscribe::bot {

// What a tap asked for and how to answer it.
struct Tap {
  Lang lang = Lang::kEn;
  std::string label;   // the action's name in `lang` ("Summary")
  std::string job_id;  // the action job; "" when none was asked for
  // Set when the answer is known before the admission (an action that cannot run, a job that
  // exists already, access denied): then nothing is admitted.
  std::optional<std::string> answer;
  bool alert = false;  // show the answer as a dialog (refusals), not a toast
};

class ActionIntake {
 public:
  ActionIntake(BotEnv& env, Intake& intake);

  // A callback_query: fills `turn` with the action job (when one is to be admitted).
  Tap tap(Turn& turn, const telegram::CallbackQuery& q);
  // The answer for a tap whose job exists (a repeated tap, a redelivered update).
  std::string existing_answer(const Tap& tap);
  // /summary and /translate [LANG]: replies in `turn`, or the action job.
  void command(Turn& turn, const telegram::Message& m, jobs::ActionKind kind,
               const std::string& args);

 private:
  // The action job on the transcript of job `source`, asked by `who` in reply to `reply_to`;
  // false (and `why` set) when it cannot be made.
  bool admit_on_source(Turn& turn, const store::Job& source, jobs::ActionKind kind,
                       const std::string& target, const telegram::User& who,
                       const telegram::Message& reply_to, Lang lang, std::string* job_id);
  void set_action_job(Turn& turn, store::Job job, const jobs::JobPayload& p, Lang lang);
  std::optional<std::string> state_answer(const std::string& job_id, const std::string& label,
                                          Lang lang);
  bool available(jobs::ActionKind kind, const std::string& target) const;
  bool allowed(const telegram::User& who, int64_t chat_id) const;

  BotEnv& env_;
  Intake& intake_;
  jobs::ActionMenu menu_;
};

}  // namespace tgscribe::bot
