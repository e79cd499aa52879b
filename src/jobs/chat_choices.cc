#include "jobs/chat_choices.h"

#include "common/strings.h"
#include "i18n/i18n.h"

namespace tgscribe::jobs {

std::vector<std::string> chat_formats(const JobPayload& p, const config::Config& config) {
  return p.formats ? *p.formats : config.output_formats;
}

transcript::Transcript shown_transcript(const JobPayload& p, const transcript::Transcript& t) {
  return p.speakers ? t : transcript::without_speakers(t);
}

transcript::TextOptions text_options(const JobPayload& p) {
  transcript::TextOptions o;
  o.timestamps = p.timestamps;
  o.speaker_label = i18n::tr(i18n::lang_for(p.user_lang), i18n::Msg::kSpeakerLabel);
  return o;
}

std::string message_body(const JobPayload& p, const transcript::Transcript& shown) {
  // Without marks or speakers the message stays one block, as before the choices existed.
  if (!p.timestamps && !shown.has_speakers()) return trim(shown.text());
  return trim(transcript::to_txt(shown, text_options(p)));
}

}  // namespace tgscribe::jobs
