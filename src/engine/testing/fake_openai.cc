#include "engine/testing/fake_openai.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/strings.h"
#include "engine/testing/fake_http.h"
#include "http/testing/local_server.h"

namespace tgscribe::engine::testing {

using nlohmann::json;

struct FakeOpenAi::Impl {
  FakeOpenAiOptions options;
  std::mutex mutex;  // guards options.text
  FakeScript script;
  http::testing::LocalServer server;

  // The limit model (enforce_rate_limits), guarded by rate_mutex.
  std::mutex rate_mutex;
  std::optional<FakeRateLimits> limits;
  std::deque<std::chrono::steady_clock::time_point> minute_log, day_log;
  std::deque<std::pair<std::chrono::steady_clock::time_point, double>> hour_log;
  FakeRateUsage usage;
  // Admits or refuses one valid request of `duration_s`; fills the rate-limit headers either way.
  bool admit(double duration_s, std::map<std::string, std::string>& headers);

  void handle(const httplib::Request& req, httplib::Response& res, bool translate);
  std::string answer(const FakeRequest& r, const FakeReply& reply, bool translate);
};

namespace {

const char* kIsoToName(const std::string& code) {
  if (code == "en") return "english";
  if (code == "id") return "indonesian";
  if (code == "de") return "german";
  if (code == "fr") return "french";
  if (code == "es") return "spanish";
  return "english";
}

}  // namespace

std::string FakeOpenAi::Impl::answer(const FakeRequest& r, const FakeReply& reply, bool translate) {
  const bool words = [&] {
    auto g = r.all("timestamp_granularities[]");
    return std::find(g.begin(), g.end(), "word") != g.end();
  }();
  std::vector<transcript::Segment> segments;
  if (reply.segments) {
    segments = *reply.segments;
  } else {
    std::lock_guard lock(mutex);
    segments = spread_over_speech(options.text, r, words);
  }
  std::string text;
  for (const auto& s : segments) text += (text.empty() ? "" : " ") + s.text;
  std::string format = r.field("response_format");
  if (format.empty() || format == "json") return json{{"text", text}}.dump();
  std::string language = translate                      ? "english"
                         : !reply.language.empty()      ? kIsoToName(reply.language)
                         : !r.field("language").empty() ? kIsoToName(r.field("language"))
                                                        : options.language_name;
  json j = {{"task", translate ? "translate" : "transcribe"},
            {"language", language},
            {"duration", std::max(0.0, r.duration_s)},
            {"text", text}};
  json segs = json::array();
  json all_words = json::array();
  int id = 0;
  for (const auto& s : segments) {
    segs.push_back({{"id", id++},
                    {"seek", 0},
                    {"start", s.start},
                    {"end", s.end},
                    {"text", " " + s.text},
                    {"tokens", json::array()},
                    {"temperature", 0.0},
                    {"avg_logprob", s.avg_logprob.value_or(-0.2)},
                    {"compression_ratio", s.compression_ratio.value_or(1.3)},
                    {"no_speech_prob", s.no_speech_prob.value_or(0.01)}});
    for (const auto& w : s.words) {
      all_words.push_back({{"word", w.text}, {"start", w.start}, {"end", w.end}});
    }
  }
  j["segments"] = segs;
  if (words) j["words"] = all_words;
  return j.dump();
}

namespace {

// Go durations as Groq writes them: "2m59.56s", "7.66s", "120ms".
std::string go_duration(std::chrono::steady_clock::duration d) {
  double s = std::max(0.0, std::chrono::duration<double>(d).count());
  char buf[64];
  if (s < 1) {
    snprintf(buf, sizeof buf, "%dms", static_cast<int>(std::ceil(s * 1000)));
  } else if (s < 60) {
    snprintf(buf, sizeof buf, "%.2fs", s);
  } else {
    int m = static_cast<int>(s / 60);
    snprintf(buf, sizeof buf, "%dm%.2fs", m, s - m * 60);
  }
  return buf;
}

}  // namespace

bool FakeOpenAi::Impl::admit(double duration_s, std::map<std::string, std::string>& headers) {
  using Clock = std::chrono::steady_clock;
  std::lock_guard lock(rate_mutex);
  if (!limits) return true;
  const auto now = Clock::now();
  const auto minute = std::chrono::seconds(60), hour = std::chrono::seconds(3600),
             day = std::chrono::seconds(86400);
  while (!minute_log.empty() && minute_log.front() <= now - minute) minute_log.pop_front();
  while (!day_log.empty() && day_log.front() <= now - day) day_log.pop_front();
  while (!hour_log.empty() && hour_log.front().first <= now - hour) hour_log.pop_front();
  const double billed = std::max(duration_s, limits->min_billed_s);
  double audio_used = 0;
  for (const auto& e : hour_log) audio_used += e.second;

  // When each limit lets this request through: now, or when enough of the log leaves it.
  Clock::time_point fits = now;
  if (limits->requests_per_minute > 0 &&
      static_cast<int64_t>(minute_log.size()) >= limits->requests_per_minute) {
    fits = std::max(fits, minute_log[minute_log.size() - limits->requests_per_minute] + minute);
  }
  if (limits->requests_per_day > 0 &&
      static_cast<int64_t>(day_log.size()) >= limits->requests_per_day) {
    fits = std::max(fits, day_log[day_log.size() - limits->requests_per_day] + day);
  }
  const double audio_limit = static_cast<double>(limits->audio_seconds_per_hour);
  if (audio_limit > 0 && audio_used + billed > audio_limit) {
    double left = audio_used;
    for (const auto& e : hour_log) {
      left -= e.second;
      if (left + billed <= audio_limit) {
        fits = std::max(fits, e.first + hour);
        break;
      }
    }
  }
  const bool ok = fits <= now;
  if (ok) {
    minute_log.push_back(now);
    day_log.push_back(now);
    hour_log.emplace_back(now, billed);
    audio_used += billed;
    ++usage.accepted;
    usage.billed_audio_s += billed;
  } else {
    ++usage.refused;
    headers["Retry-After"] = std::to_string(
        static_cast<int64_t>(std::ceil(std::chrono::duration<double>(fits - now).count())));
  }
  headers["x-ratelimit-limit-requests"] = std::to_string(limits->requests_per_day);
  headers["x-ratelimit-remaining-requests"] =
      std::to_string(std::max<int64_t>(0, limits->requests_per_day - day_log.size()));
  headers["x-ratelimit-reset-requests"] =
      go_duration(day_log.empty() ? Clock::duration(0) : day_log.front() + day - now);
  if (audio_limit > 0) {
    headers["x-ratelimit-limit-audio-seconds"] = std::to_string(limits->audio_seconds_per_hour);
    headers["x-ratelimit-remaining-audio-seconds"] =
        std::to_string(static_cast<int64_t>(std::max(0.0, std::floor(audio_limit - audio_used))));
    headers["x-ratelimit-reset-audio-seconds"] =
        go_duration(hour_log.empty() ? Clock::duration(0) : hour_log.front().first + hour - now);
  }
  return ok;
}

void FakeOpenAi::Impl::handle(const httplib::Request& req, httplib::Response& res, bool translate) {
  FakeRequest r;
  r.received = std::chrono::steady_clock::now();
  r.path = req.path;
  r.authorization = req.get_header_value("Authorization");
  for (const auto& [name, part] : req.files) {
    if (name == "file") {
      r.filename = part.filename;
      r.content_type = part.content_type;
      inspect_audio(part.content, r, options.inspect_speech ? options.speech_min_silence_s : -1);
    } else {
      r.fields.emplace(name, part.content);
    }
  }
  // The checks of the real services, in their order: auth, then the form, then the file.
  Refusal verdict;
  auto refuse = [&](int code, const std::string& why) { verdict.refuse(r, code, why); };
  if (!options.api_key.empty() && r.authorization != "Bearer " + options.api_key) {
    refuse(401, "Invalid API Key");
  }
  if (options.api_key.empty() && !r.authorization.empty()) {
    r.problems.push_back("Authorization sent to a server without a key");
  }
  if (!req.is_multipart_form_data()) refuse(400, "request must be multipart/form-data");
  if (!req.has_file("file")) refuse(400, "file is required");
  if (r.field("model").empty()) refuse(400, "model is required");
  std::string ext = file_extension(r.filename);
  if (req.has_file("file") &&
      std::find(options.accepted_extensions.begin(), options.accepted_extensions.end(), ext) ==
          options.accepted_extensions.end()) {
    refuse(400,
           "file must be one of the following types: flac mp3 mp4 mpeg mpga m4a ogg wav "
           "webm (got ." +
               ext + ")");
  }
  if (r.size > options.max_upload_bytes) refuse(413, "Request Entity Too Large");
  if (r.has_field("language")) {
    std::string lang = r.field("language");
    if (lang.size() != 2 || lang == "auto") refuse(400, "language must be ISO-639-1: " + lang);
    if (translate && lang != "en") refuse(400, "translations only support language en");
  }
  std::string format = r.field("response_format");
  if (!format.empty() && format != "json" && format != "text" && format != "verbose_json") {
    refuse(400, "response_format must be json, text or verbose_json");
  }
  if (r.has_field("timestamp_granularities[]") && format != "verbose_json") {
    refuse(400, "timestamp_granularities requires response_format=verbose_json");
  }
  if (req.has_file("file") && r.duration_s < 0) {
    refuse(400, "could not process file - is it a valid media file?");
  }

  std::map<std::string, std::string> rate_headers;
  if (verdict.status == 200 && !admit(r.duration_s, rate_headers)) {
    verdict.status = 429;
    verdict.message = "Rate limit reached for model `" + r.field("model") +
                      "`: please try again in " + rate_headers["Retry-After"] + "s.";
    r.problems.push_back("sent over the rate limit");
  }
  FakeReply reply =
      verdict.status == 200 ? script.next(r)
      : verdict.status == 429
          ? FakeReply::error(429, "", openai_error_body(verdict.message, "rate_limit_exceeded"))
          : FakeReply::error(verdict.status, "",
                             openai_error_body(verdict.message, "invalid_request_error"));
  for (const auto& [k, v] : rate_headers) reply.headers[k] = v;
  std::string body = reply.kind == FakeReply::Kind::kTranscript ? answer(r, reply, translate) : "";
  write_reply(reply, body, res, r);
  script.record(std::move(r));
}

FakeOpenAi::FakeOpenAi(FakeOpenAiOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  auto& s = impl_->server.server();
  s.Post(R"(.*/audio/transcriptions)", [this](const httplib::Request& req, httplib::Response& res) {
    impl_->handle(req, res, false);
  });
  s.Post(R"(.*/audio/translations)", [this](const httplib::Request& req, httplib::Response& res) {
    impl_->handle(req, res, true);
  });
}

FakeOpenAi::~FakeOpenAi() { impl_->server.stop(); }

void FakeOpenAi::start() { impl_->server.start(); }
std::string FakeOpenAi::url() const { return impl_->server.url() + "/v1"; }
std::vector<FakeRequest> FakeOpenAi::requests() const { return impl_->script.requests(); }
void FakeOpenAi::script_next(FakeReply reply) { impl_->script.push(std::move(reply)); }
void FakeOpenAi::set_responder(FakeScript::Responder responder) {
  impl_->script.set_responder(std::move(responder));
}
void FakeOpenAi::enforce_rate_limits(FakeRateLimits limits) {
  std::lock_guard lock(impl_->rate_mutex);
  impl_->limits = limits;
  impl_->minute_log.clear();
  impl_->day_log.clear();
  impl_->hour_log.clear();
  impl_->usage = {};
}
FakeRateUsage FakeOpenAi::rate_usage() const {
  std::lock_guard lock(impl_->rate_mutex);
  return impl_->usage;
}
void FakeOpenAi::set_text(const std::string& text) {
  std::lock_guard lock(impl_->mutex);
  impl_->options.text = text;
}

}  // namespace tgscribe::engine::testing
