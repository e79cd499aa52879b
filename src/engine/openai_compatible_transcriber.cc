#include "engine/openai_compatible_transcriber.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/json_fields.h"
#include "common/strings.h"
#include "engine/engine_response.h"
#include "engine/language_codes.h"
#include "engine/rate_limit_headers.h"

namespace tgscribe::engine {
namespace {

using nlohmann::json;

transcript::Word parse_word(const json& w) {
  transcript::Word word;
  word.start = number_field_or(w, "start", 0);
  word.end = number_field_or(w, "end", word.start);
  word.text = trim(string_field(w, "word"));
  if (auto p = number_field(w, "probability")) word.confidence = *p;
  return word;
}

// Engine file names: ".oga" (Telegram voice notes) and ".opus" are Ogg files that servers
// refuse by extension; they take the same bytes named ".ogg".
std::string upload_filename(const AudioFile& audio) {
  std::string name = audio.filename.empty() ? audio.path.filename().string() : audio.filename;
  std::string ext = file_extension(name);
  if (ext == "oga" || ext == "opus") {
    name = name.substr(0, name.size() - ext.size()) + "ogg";
  }
  return name;
}

}  // namespace

std::string translation_model(const OpenAiCompatibleSettings& s) {
  if (!s.translate_model.empty()) return s.translate_model;
  if (s.name == "groq" && s.model.find("turbo") != std::string::npos) return "whisper-large-v3";
  return s.model;
}

EngineCaps openai_compatible_caps(const OpenAiCompatibleSettings& s) {
  EngineCaps caps;
  caps.name = s.name;
  caps.model = s.model;
  caps.uploads = true;
  caps.max_upload_bytes = s.max_upload_bytes;
  caps.max_concurrency = std::max(1, s.max_concurrency);
  caps.min_billed_s = s.min_billed_s;
  if (!s.accepted_extensions.empty()) {
    caps.accepted_extensions = s.accepted_extensions;
  } else if (s.name == "groq") {
    caps.accepted_extensions = {"flac", "mp3", "mp4", "mpeg", "mpga", "m4a", "ogg", "wav", "webm"};
  } else {
    // OpenAI's list; no ogg, so the planner re-encodes voice notes to webm.
    caps.accepted_extensions = {"mp3", "mp4", "mpeg", "mpga", "m4a", "wav", "webm"};
  }
  if (s.name == "groq" && caps.min_billed_s == 0) caps.min_billed_s = 10;
  // Only the turbo model lacks a translation task; every other Whisper model has one.
  caps.supports_translate = translation_model(s).find("turbo") == std::string::npos;
  return caps;
}

OpenAiCompatibleTranscriber::OpenAiCompatibleTranscriber(OpenAiCompatibleSettings settings,
                                                         std::shared_ptr<http::HttpClient> http)
    : settings_(std::move(settings)),
      caps_(openai_compatible_caps(settings_)),
      http_(std::move(http)) {
  settings_.base_url = without_trailing_slashes(settings_.base_url);
}

transcript::Transcript parse_openai_transcription(const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || (!j.contains("text") && !j.contains("segments"))) {
    // The body is not echoed: it may be an HTML error page or contain our input.
    throw Error(ErrorKind::kServer, "unreadable transcription answer");
  }
  transcript::Transcript t;
  t.language = to_iso639_1(string_field(j, "language"));
  t.duration = number_field_or(j, "duration", 0);
  std::vector<transcript::Word> loose_words;
  if (const json* words = array_field(j, "words")) {
    for (const auto& w : *words) loose_words.push_back(parse_word(w));
  }
  if (const json* segments = array_field(j, "segments")) {
    for (const auto& s : *segments) {
      if (!s.is_object()) continue;
      transcript::Segment seg;
      seg.start = number_field_or(s, "start", 0);
      seg.end = number_field_or(s, "end", seg.start);
      seg.text = trim(string_field(s, "text"));
      seg.avg_logprob = number_field(s, "avg_logprob");
      seg.no_speech_prob = number_field(s, "no_speech_prob");
      seg.compression_ratio = number_field(s, "compression_ratio");
      // Some servers (speaches, whisper.cpp) nest words in segments.
      if (const json* w = array_field(s, "words")) {
        for (const auto& word : *w) seg.words.push_back(parse_word(word));
      }
      if (seg.text.empty() && seg.words.empty()) continue;
      t.segments.push_back(std::move(seg));
    }
  }
  if (t.segments.empty()) {
    std::string text = trim(string_field(j, "text"));
    if (!text.empty()) {
      transcript::Segment seg;
      seg.start = loose_words.empty() ? 0 : loose_words.front().start;
      seg.end = loose_words.empty() ? t.duration : loose_words.back().end;
      seg.text = text;
      t.segments.push_back(std::move(seg));
    }
  }
  // OpenAI/Groq put words at the top level: give each to the segment holding its midpoint.
  if (!loose_words.empty() && !t.segments.empty()) {
    size_t s = 0;
    for (auto& w : loose_words) {
      double mid = (w.start + w.end) / 2;
      while (s + 1 < t.segments.size() && mid >= t.segments[s].end &&
             mid >= t.segments[s + 1].start) {
        ++s;
      }
      t.segments[s].words.push_back(std::move(w));
    }
  }
  if (t.duration <= 0 && !t.segments.empty()) t.duration = t.segments.back().end;
  return t;
}

transcript::Transcript OpenAiCompatibleTranscriber::transcribe(const AudioFile& audio,
                                                               const TranscribeOptions& options) {
  if (options.cancelled && options.cancelled()) throw Error(ErrorKind::kCancelled, "cancelled");
  const int64_t size = checked_upload_size(audio, caps_);
  const bool translate = options.translate;
  if (translate && !caps_.supports_translate) {
    throw Error(ErrorKind::kInvalidInput,
                caps_.name + ": model " + translation_model(settings_) + " cannot translate");
  }
  const std::string endpoint = translate ? "/audio/translations" : "/audio/transcriptions";

  http::Request req;
  req.method = "POST";
  req.url = settings_.base_url + endpoint;
  req.timeout = settings_.timeout + http::time_at_rate(size, settings_.min_upload_rate_bytes_per_s);
  req.stall = settings_.stall;
  // A /cancel or the shutdown deadline ends the request, also while the engine thinks.
  req.cancelled = options.cancelled;
  req.max_body_bytes = 64'000'000;  // hours of verbose_json with words stay far below this
  if (!settings_.api_key.empty()) {
    req.headers.emplace_back("Authorization", "Bearer " + settings_.api_key);
  }
  req.headers.emplace_back("Accept", "application/json");
  std::string content_type =
      audio.content_type.empty() ? "application/octet-stream" : audio.content_type;
  req.multipart.push_back({.name = "file",
                           .file = audio.path,
                           .filename = upload_filename(audio),
                           .content_type = content_type});
  const std::string model = translate ? translation_model(settings_) : settings_.model;
  req.multipart.push_back({.name = "model", .value = model});
  // Auto-detection is asked for by leaving `language` out; "auto" is refused by Groq.
  if (!translate && !options.language.empty() && options.language != "auto") {
    req.multipart.push_back({.name = "language", .value = options.language});
  }
  if (!options.prompt.empty()) req.multipart.push_back({.name = "prompt", .value = options.prompt});
  req.multipart.push_back({.name = "response_format", .value = "verbose_json"});
  if (!translate) {
    req.multipart.push_back({.name = "timestamp_granularities[]", .value = "segment"});
    if (options.word_timestamps) {
      req.multipart.push_back({.name = "timestamp_granularities[]", .value = "word"});
    }
  }
  req.multipart.push_back({.name = "temperature", .value = "0"});

  const std::string what = caps_.name + " " + endpoint;
  http::Response res = http_->send(req);
  report_rate_headers(options, res);
  throw_unless_2xx(res, what);
  transcript::Transcript t = parse_answer(res, what, parse_openai_transcription);
  t.engine = caps_.name;
  t.model = model;
  if (translate) t.language = "en";
  finish_transcript(t, audio, options);
  return t;
}

}  // namespace tgscribe::engine
