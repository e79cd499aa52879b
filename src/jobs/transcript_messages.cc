#include "jobs/transcript_messages.h"

#include <algorithm>

#include "common/safe_name.h"
#include "common/strings.h"
#include "common/utf8.h"
#include "i18n/i18n.h"
#include "jobs/chat_choices.h"
#include "transcript/message_splitter.h"
#include "transcript/writers.h"

namespace tgscribe::jobs {
namespace {

using i18n::Msg;
using i18n::tr;

constexpr size_t kTelegramTextLimit = 4096;  // UTF-16 code units per message
constexpr size_t kPreviewChars = 1500;

}  // namespace

OutboxMessage reply_message(const JobPayload& p, const std::string& text) {
  OutboxMessage m;
  m.chat_id = p.chat_id;
  m.thread_id = p.thread_id;
  m.reply_to_message_id = p.reply_to_message_id;
  m.text = text;
  return m;
}

TranscriptMessages::TranscriptMessages(const config::Config& config) : config_(config) {}

store::OutboxEntry TranscriptMessages::notice(const std::string& job_id, const JobPayload& p,
                                              const std::string& name, const std::string& text) {
  return make_entry(job_id + ":" + name, job_id, reply_message(p, text));
}

store::OutboxEntry TranscriptMessages::status(const std::string& job_id, const JobPayload& p,
                                              const std::string& text) {
  return make_entry(status_entry_id(job_id), job_id, reply_message(p, text),
                    store::kOutboxFirstReply);
}

store::OutboxEntry TranscriptMessages::status_edit(const std::string& job_id, const JobPayload& p,
                                                   const std::string& name,
                                                   const std::string& text) {
  OutboxMessage m;
  m.method = OutboxMessage::Method::kEditMessageText;
  m.chat_id = p.chat_id;
  m.edit_of = status_entry_id(job_id);
  m.text = text;
  return make_entry(status_entry_id(job_id) + ":" + name, job_id, m);
}

std::string TranscriptMessages::output_name(const JobPayload& p, const std::string& format) {
  // The user's name goes to the filesystem (the upload's temp file) and back to Telegram: one
  // clean path component, cut in bytes on a character boundary (common/safe_name.h).
  std::string stem = safe_name_part(file_stem(p.media.file_name), kSafeStemBytes);
  if (stem.empty()) stem = "transcript";
  return stem + "." + format;
}

std::string TranscriptMessages::preview(const std::string& text, size_t max_chars) {
  std::u32string cps = utf8::to_u32(text);
  if (cps.size() <= max_chars) return text;
  size_t cut = max_chars;
  // Back up to the last space in the final fifth, so a word is not cut in half.
  for (size_t i = max_chars; i > max_chars * 4 / 5; --i) {
    if (utf8::is_space(cps[i])) {
      cut = i;
      break;
    }
  }
  return trim(utf8::from_u32(cps.substr(0, cut))) + " …";
}

std::vector<store::OutboxEntry> TranscriptMessages::transcript(
    const std::string& job_id, const JobPayload& p, const transcript::Transcript& t) const {
  i18n::Lang lang = i18n::lang_for(p.user_lang);
  // The chat's /speakers, /timestamps and /formats (jobs/chat_choices.h).
  const transcript::Transcript shown = shown_transcript(p, t);
  std::string body = message_body(p, shown);
  if (body.empty()) return {notice(job_id, p, "nospeech", tr(lang, Msg::kNoSpeech))};

  std::string header;
  if (p.group) {
    std::string who = p.media_owner_name.empty() ? p.requester_name : p.media_owner_name;
    if (!who.empty()) header = tr(lang, Msg::kFromUser, fmt::arg("name", who)) + "\n\n";
  }
  std::string language = t.language.empty() ? tr(lang, Msg::kLanguageUnknown) : t.language;
  std::string engine = t.engine.empty() ? "?" : t.engine;
  std::string footer =
      tr(lang, Msg::kFooter, fmt::arg("duration", i18n::format_duration(t.duration)),
         fmt::arg("language", language), fmt::arg("engine", engine));

  std::vector<std::string> formats = chat_formats(p, config_);
  size_t chars = utf8::code_point_count(body);
  bool as_file = config_.message_file_threshold > 0 &&
                 chars > static_cast<size_t>(config_.message_file_threshold);
  std::vector<std::string> parts;
  if (as_file) {
    parts.push_back(header + tr(lang, Msg::kPreviewIntro, fmt::arg("chars", chars)) + "\n\n" +
                    preview(body, kPreviewChars) + "\n\n" + footer);
    // No text is ever lost: the full text goes as .txt even when txt is not configured.
    if (std::find(formats.begin(), formats.end(), "txt") == formats.end()) {
      formats.insert(formats.begin(), "txt");
    }
  } else {
    parts = transcript::split_message(header + body + "\n\n" + footer, kTelegramTextLimit);
  }

  std::vector<store::OutboxEntry> out;
  for (size_t i = 0; i < parts.size(); ++i) {
    OutboxMessage m = reply_message(p, parts[i]);
    // The actions go under the transcript's last text message: the one a /summary replies to.
    if (i + 1 == parts.size() && menu_ && p.action.empty()) {
      telegram::InlineKeyboard kb = action_keyboard(*menu_, job_id, lang, t.language, formats);
      if (!kb.empty()) m.reply_markup = std::move(kb);
    }
    out.push_back(make_entry(job_id + ":text:" + std::to_string(i), job_id, m));
  }
  for (const auto& name : formats) {
    auto f = transcript::parse_format(name);
    if (!f) continue;  // config validation rejects these; skip rather than fail a delivery
    OutboxMessage m = reply_message(p, "");
    m.method = OutboxMessage::Method::kSendDocument;
    m.file_name = output_name(p, transcript::format_name(*f));
    m.mime_type = transcript::content_type(*f);
    m.content = transcript::render(*f, shown, p.media.file_name, text_options(p));
    out.push_back(make_entry(job_id + ":file:" + transcript::format_name(*f), job_id, m));
  }
  return out;
}

}  // namespace tgscribe::jobs
