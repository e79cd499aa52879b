#include "bot/delivery.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "common/strings.h"
#include "store/queue_policy.h"
#include "transcript/message_splitter.h"
#include "transcript/utf8.h"
#include "transcript/writers.h"

namespace tgscribe::bot {
namespace {

namespace fs = std::filesystem;

constexpr size_t kTelegramTextLimit = 4096;  // UTF-16 code units per message
constexpr size_t kPreviewChars = 1500;

}  // namespace

Delivery::Delivery(BotEnv& env) : env_(env) {}

void Delivery::once(const std::string& job_id, const std::string& step,
                    const std::function<void()>& send) {
  if (job_id.empty()) return send();
  if (env_.queue.step_done(job_id, step)) {
    spdlog::info("job {}: {} already sent, skipped", short_id(job_id), step);
    return;
  }
  // Recorded after the send: a crash in between resends one part rather than losing it.
  send();
  env_.queue.mark_step(job_id, step);
}

void Delivery::send_text(const JobPayload& p, const std::string& text) {
  telegram::SendMessageParams m;
  m.chat_id = p.chat_id;
  m.text = text;
  m.reply_to_message_id = p.reply_to_message_id;
  m.message_thread_id = p.thread_id;
  env_.sender.send_message(std::move(m));
}

void Delivery::send_notice(const std::string& job_id, const JobPayload& p, const std::string& step,
                           const std::string& text) {
  once(job_id, step, [&] { send_text(p, text); });
}

std::string Delivery::output_name(const JobPayload& p, const std::string& format) {
  std::string stem = p.media.file_name.empty() ? "" : file_stem(p.media.file_name);
  // A name made only of dots or slashes would give an odd file name; fall back.
  if (trim(stem).empty()) stem = "transcript";
  return stem + "." + format;
}

std::string Delivery::preview(const std::string& text, size_t max_chars) {
  std::u32string cps = transcript::utf8::to_u32(text);
  if (cps.size() <= max_chars) return text;
  size_t cut = max_chars;
  // Back up to the last space in the final fifth, so a word is not cut in half.
  for (size_t i = max_chars; i > max_chars * 4 / 5; --i) {
    if (transcript::utf8::is_space(cps[i])) {
      cut = i;
      break;
    }
  }
  return trim(transcript::utf8::from_u32(cps.substr(0, cut))) + " …";
}

void Delivery::send_file(const std::string& job_id, const JobPayload& p, const std::string& format,
                         const std::string& content) {
  fs::path dir = fs::path(env_.config.data_dir) / "tmp" /
                 ("out-" + (job_id.empty() ? store::new_job_id() : job_id) + "-" + format);
  fs::create_directories(dir);
  std::string name = output_name(p, format);
  fs::path file = dir / name;
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) throw Error(ErrorKind::kInternal, "cannot write " + file.string());
  }
  telegram::SendDocumentParams d;
  d.chat_id = p.chat_id;
  d.file = file;
  d.file_name = name;
  auto f = transcript::parse_format(format);
  d.mime_type = f ? transcript::content_type(*f) : "text/plain";
  d.reply_to_message_id = p.reply_to_message_id;
  d.message_thread_id = p.thread_id;
  try {
    env_.sender.send_document(std::move(d));
  } catch (...) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    throw;
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

void Delivery::deliver(const std::string& job_id, const JobPayload& p,
                       const transcript::Transcript& t) {
  Lang lang = lang_for(p.user_lang);
  std::string body = trim(t.text());
  if (body.empty()) {
    send_notice(job_id, p, "nospeech", tr(lang, Msg::kNoSpeech));
    return;
  }
  std::string header;
  if (p.group) {
    std::string who = p.media_owner_name.empty() ? p.requester_name : p.media_owner_name;
    if (!who.empty()) header = tr(lang, Msg::kFromUser, fmt::arg("name", who)) + "\n\n";
  }
  std::string language = t.language.empty() ? tr(lang, Msg::kLanguageUnknown) : t.language;
  std::string engine = t.engine.empty() ? "?" : t.engine;
  std::string footer = tr(lang, Msg::kFooter, fmt::arg("duration", format_duration(t.duration)),
                          fmt::arg("language", language), fmt::arg("engine", engine));

  std::vector<std::string> formats = env_.config.output_formats;
  size_t chars = transcript::utf8::code_point_count(body);
  bool as_file = env_.config.message_file_threshold > 0 &&
                 chars > static_cast<size_t>(env_.config.message_file_threshold);
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
  for (size_t i = 0; i < parts.size(); ++i) {
    once(job_id, "text:" + std::to_string(i), [&] { send_text(p, parts[i]); });
  }
  for (const auto& name : formats) {
    auto f = transcript::parse_format(name);
    if (!f) continue;  // config validation rejects these; skip rather than fail a delivery
    once(job_id, std::string("file:") + transcript::format_name(*f), [&] {
      std::string file_name = p.media.file_name.empty() ? "" : p.media.file_name;
      send_file(job_id, p, transcript::format_name(*f), transcript::render(*f, t, file_name));
    });
  }
}

}  // namespace tgscribe::bot
