#pragma once
// Sends a finished transcript to the chat: the text as messages (split under Telegram's 4096
// UTF-16 unit limit) or, when long, a preview plus the .txt; then one file per OUTPUT_FORMATS.
// Every send is a step recorded with JobQueue::mark_step, so a job re-run after a crash sends
// only what had not been sent.
#include <functional>
#include <string>

#include "bot/bot_env.h"
#include "bot/job_payload.h"
#include "transcript/transcript.h"

namespace tgscribe::bot {

class Delivery {
 public:
  explicit Delivery(BotEnv& env);

  // job_id "" = no job (a cache hit answered at intake): nothing to record.
  void deliver(const std::string& job_id, const JobPayload& p, const transcript::Transcript& t);

  // One plain reply to the media message (an error, a refusal), sent at most once per step.
  void send_notice(const std::string& job_id, const JobPayload& p, const std::string& step,
                   const std::string& text);

  // `<stem>.<fmt>` after the original media's name, or `transcript.<fmt>`.
  static std::string output_name(const JobPayload& p, const std::string& format);
  // The first ~`max_chars` code points of `text`, cut at a word boundary.
  static std::string preview(const std::string& text, size_t max_chars);

 private:
  // Runs `send` unless the step is already recorded for the job; records it afterwards.
  void once(const std::string& job_id, const std::string& step, const std::function<void()>& send);
  void send_text(const JobPayload& p, const std::string& text);
  void send_file(const std::string& job_id, const JobPayload& p, const std::string& format,
                 const std::string& content);

  BotEnv& env_;
};

}  // namespace tgscribe::bot
