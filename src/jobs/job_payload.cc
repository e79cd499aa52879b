#include "jobs/job_payload.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace tgscribe::jobs {
namespace {

using nlohmann::json;

const char* kind_name(telegram::MediaKind k) { return telegram::to_string(k); }

telegram::MediaKind kind_from(const std::string& s) {
  using telegram::MediaKind;
  for (auto k : {MediaKind::kVoice, MediaKind::kAudio, MediaKind::kVideo, MediaKind::kVideoNote,
                 MediaKind::kDocument}) {
    if (s == telegram::to_string(k)) return k;
  }
  throw std::runtime_error("unknown media kind in job payload: " + s);
}

}  // namespace

std::string to_json(const JobPayload& p) {
  json j = {
      {"v", 1},
      {"chat_id", p.chat_id},
      {"group", p.group},
      {"reply_to", p.reply_to_message_id},
      {"user_id", p.user_id},
      {"requester", p.requester_name},
      {"user_lang", p.user_lang},
      {"language", p.language},
      {"owner_id", p.media_owner_id},
      {"owner_name", p.media_owner_name},
      {"media",
       {{"kind", kind_name(p.media.kind)},
        {"file_id", p.media.file_id},
        {"file_unique_id", p.media.file_unique_id},
        {"file_name", p.media.file_name},
        {"mime_type", p.media.mime_type},
        {"file_size", p.media.file_size},
        {"duration", p.media.duration}}},
  };
  if (p.thread_id) j["thread_id"] = *p.thread_id;
  if (p.formats) j["formats"] = *p.formats;
  if (p.timestamps) j["timestamps"] = true;
  if (p.speakers) j["speakers"] = true;
  if (!p.action.empty()) {
    j["action"] = p.action;
    j["target_language"] = p.target_language;
    j["source_job"] = p.source_job;
  }
  // Replace invalid UTF-8 (a name from Telegram is valid, but never let a dump throw).
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

JobPayload payload_from_json(const std::string& text) {
  try {
    json j = json::parse(text);
    JobPayload p;
    p.chat_id = j.at("chat_id").get<int64_t>();
    p.group = j.value("group", false);
    if (j.contains("thread_id")) p.thread_id = j.at("thread_id").get<int64_t>();
    p.reply_to_message_id = j.value("reply_to", int64_t{0});
    p.user_id = j.value("user_id", int64_t{0});
    p.requester_name = j.value("requester", std::string{});
    p.user_lang = j.value("user_lang", std::string{"en"});
    p.language = j.value("language", std::string{});
    p.media_owner_id = j.value("owner_id", int64_t{0});
    p.media_owner_name = j.value("owner_name", std::string{});
    const json& m = j.at("media");
    p.media.kind = kind_from(m.at("kind").get<std::string>());
    p.media.file_id = m.at("file_id").get<std::string>();
    p.media.file_unique_id = m.value("file_unique_id", std::string{});
    p.media.file_name = m.value("file_name", std::string{});
    p.media.mime_type = m.value("mime_type", std::string{});
    p.media.file_size = m.value("file_size", int64_t{0});
    p.media.duration = m.value("duration", 0);
    if (j.contains("formats")) p.formats = j.at("formats").get<std::vector<std::string>>();
    p.timestamps = j.value("timestamps", false);
    p.speakers = j.value("speakers", false);
    p.action = j.value("action", std::string{});
    p.target_language = j.value("target_language", std::string{});
    p.source_job = j.value("source_job", std::string{});
    return p;
  } catch (const json::exception& e) {
    throw std::runtime_error(std::string("malformed job payload: ") + e.what());
  }
}

std::string short_id(const std::string& job_id) { return job_id.substr(0, 8); }

}  // namespace tgscribe::jobs
