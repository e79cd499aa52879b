#pragma once
// The actions a transcript offers (issue 16): a summary, a translation, subtitles. One
// vocabulary for the buttons under a transcript, their callback_data, the commands /summary
// and /translate, and the action jobs they admit:
//
//   callback_data  "a:sum:<job>"  "a:tr:<lang>:<job>"  "a:srt:<job>"   (<= 64 bytes)
//   job id         hash of (source, action, target): a repeated tap finds the same job, so a
//                  transcript gets one summary however often it is asked for.
//
// Which buttons are shown depends on what can work with the configured engines: a summary
// needs a text model (LLM_*); English needs an engine with a translation endpoint or a text
// model; any other language a text model; subtitles only when the .srt was not sent already.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "i18n/i18n.h"
#include "telegram/types.h"

namespace tgscribe::jobs {

enum class ActionKind { kSummary, kTranslate, kSubtitles };

struct ActionRequest {
  ActionKind kind = ActionKind::kSummary;
  std::string target_language;  // kTranslate: ISO 639-1, lower case
  std::string source_job;       // the transcript job the button is under
};

// "summary" | "translate" | "subtitles": JobPayload::action.
const char* action_name(ActionKind kind);
std::optional<ActionKind> action_from_name(std::string_view name);

// The button's callback_data; always within Telegram's 64 bytes for 16-hex job ids.
std::string callback_data(const ActionRequest& request);
// nullopt for data that is not one of ours (another bot's button, a malformed payload).
std::optional<ActionRequest> parse_callback_data(std::string_view data);

// The action job's id: 16 hex digits from (source, action, target). `source` is the source
// job's id, or for an action asked on a media message, "msg:<chat>:<message>".
std::string action_job_id(const std::string& source, ActionKind kind,
                          const std::string& target_language);

// The transcript job whose buttons these are (the first action button's), or nullopt.
std::optional<std::string> source_job_in(const telegram::InlineKeyboard& keyboard);

// What the configured engines can do. Decided once from the configuration and whether a text
// model was built, so intake (cache answers) and workers show the same buttons.
struct ActionMenu {
  bool summary = false;             // a text model is configured
  bool engine_translation = false;  // the primary engine has an /audio/translations endpoint
  bool text_translation = false;    // a text model is configured
  bool subtitles = true;            // .srt on demand when the chat's formats lack it

  bool can_translate_to(const std::string& language) const {
    return text_translation || (engine_translation && language == "en");
  }
};
ActionMenu action_menu(const config::Config& config, bool has_text_model);

// The keyboard under a transcript of job `job_id` in `transcript_language`, with labels in
// `lang`; `formats` are the files the transcript was sent with. Empty when nothing applies.
telegram::InlineKeyboard action_keyboard(const ActionMenu& menu, const std::string& job_id,
                                         i18n::Lang lang, const std::string& transcript_language,
                                         const std::vector<std::string>& formats);

// "English", "Bahasa Indonesia"... for labels; the code itself for languages without a name.
std::string language_label(const std::string& code, i18n::Lang lang);
// The action's name for the user ("Summary", "Translation (English)").
std::string action_label(ActionKind kind, const std::string& target_language, i18n::Lang lang);

}  // namespace tgscribe::jobs
