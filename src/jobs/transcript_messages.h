#pragma once
// What a finished job says, as outbox entries: the transcript as messages (split under
// Telegram's 4096 UTF-16 unit limit) or, when long, a preview plus the .txt; then one file
// per OUTPUT_FORMATS; notices (errors, "no speech"). The split is made once, when the job
// finishes, and stored with it (JobQueue::finish), so a re-send after a crash sends the same
// parts. Entry ids are "<job>:text:<n>", "<job>:file:<fmt>", "<job>:<notice>".
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "jobs/actions.h"
#include "jobs/job_payload.h"
#include "jobs/outbox_message.h"
#include "store/outbox.h"
#include "transcript/transcript.h"

namespace tgscribe::jobs {

class TranscriptMessages {
 public:
  explicit TranscriptMessages(const config::Config& config);

  // The actions offered as buttons under a transcript's last text message (jobs/actions.h);
  // none until set. An action job's own result (a translation) carries no buttons.
  void set_action_menu(const ActionMenu& menu) { menu_ = menu; }

  std::vector<store::OutboxEntry> transcript(const std::string& job_id, const JobPayload& p,
                                             const transcript::Transcript& t) const;
  // One plain reply to the media message (an error, a refusal), id "<job>:<name>".
  static store::OutboxEntry notice(const std::string& job_id, const JobPayload& p,
                                   const std::string& name, const std::string& text);
  // The job's status message, as admission writes it: a first reply (store::OutboxEntry).
  static store::OutboxEntry status(const std::string& job_id, const JobPayload& p,
                                   const std::string& text);
  // An edit of the status message to its final text, id "<job>:status:<name>".
  static store::OutboxEntry status_edit(const std::string& job_id, const JobPayload& p,
                                        const std::string& name, const std::string& text);

  // `<stem>.<fmt>` after the original media's name, or `transcript.<fmt>`.
  static std::string output_name(const JobPayload& p, const std::string& format);
  // The first ~`max_chars` code points of `text`, cut at a word boundary.
  static std::string preview(const std::string& text, size_t max_chars);

 private:
  const config::Config& config_;
  std::optional<ActionMenu> menu_;
};

// A reply in the chat (and forum topic) of the payload's media message.
OutboxMessage reply_message(const JobPayload& p, const std::string& text);

}  // namespace tgscribe::jobs
