#include "engine/engine_response.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/json_fields.h"
#include "common/redact.h"
#include "http/http_status.h"

namespace tgscribe::engine {

int64_t checked_upload_size(const AudioFile& audio, const EngineCaps& caps) {
  std::error_code ec;
  auto size = std::filesystem::file_size(audio.path, ec);
  if (ec) throw Error(ErrorKind::kInvalidInput, caps.name + ": cannot read the audio file");
  if (static_cast<int64_t>(size) > caps.max_upload_bytes) {
    throw Error(ErrorKind::kInvalidInput, caps.name + ": upload of " + std::to_string(size) +
                                              " bytes is over the limit of " +
                                              std::to_string(caps.max_upload_bytes));
  }
  return static_cast<int64_t>(size);
}

Error response_error(const http::Response& response, std::string_view what) {
  return http::status_error(response, what, SystemClock::instance().unix_ms());
}

void throw_unless_2xx(const http::Response& response, std::string_view what) {
  if (response.status < 200 || response.status >= 300) throw response_error(response, what);
}

std::string endpoint_message(const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  std::string msg;
  if (j.is_object()) {
    auto e = j.find("error");
    if (e != j.end() && e->is_object() && e->contains("message") && (*e)["message"].is_string()) {
      msg = (*e)["message"].get<std::string>();
    } else if (e != j.end() && e->is_string()) {
      msg = e->get<std::string>();
    } else {
      msg = string_field(j, "message");
    }
  }
  constexpr size_t kMax = 300;
  if (msg.size() > kMax) {
    size_t cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(msg[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
    msg = msg.substr(0, cut) + "…";
  }
  return redact(msg);
}

void finish_transcript(transcript::Transcript& t, const AudioFile& audio,
                       const TranscribeOptions& options) {
  if (t.language.empty() && !options.language.empty() && options.language != "auto") {
    t.language = options.language;
  }
  if (t.duration <= 0) t.duration = audio.info.duration_s;
  if (options.progress) options.progress(1.0);
}

}  // namespace tgscribe::engine
