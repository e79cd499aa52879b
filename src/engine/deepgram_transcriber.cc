#include "engine/deepgram_transcriber.h"

#include <curl/curl.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/error.h"
#include "common/json_fields.h"
#include "common/strings.h"
#include "engine/engine_response.h"
#include "engine/language_codes.h"
#include "engine/rate_limit_headers.h"

namespace tgscribe::engine {
namespace {

using nlohmann::json;

// With diarize=true Deepgram numbers speakers from 0 on every word (and utterance,
// paragraph); the model numbers them from 1, as users read them.
std::optional<int> speaker_of(const json& j) {
  auto v = integer_field(j, "speaker");
  if (!v || *v < 0 || *v >= 1000) return std::nullopt;
  return static_cast<int>(*v) + 1;
}

std::vector<transcript::Word> parse_words(const json& parent) {
  std::vector<transcript::Word> words;
  const json* list = array_field(parent, "words");
  if (!list) return words;
  for (const auto& w : *list) {
    if (!w.is_object()) continue;
    transcript::Word word;
    word.start = number_field_or(w, "start", 0);
    word.end = number_field_or(w, "end", word.start);
    // smart_format gives punctuated, capitalised words; fall back to the raw token.
    word.text = string_field(w, "punctuated_word");
    if (word.text.empty()) word.text = string_field(w, "word");
    word.confidence = number_field_or(w, "confidence", -1);
    word.speaker = speaker_of(w);
    words.push_back(std::move(word));
  }
  return words;
}

std::string join_words(const std::vector<transcript::Word>& words) {
  std::string text;
  for (const auto& w : words) text += (text.empty() ? "" : " ") + w.text;
  return text;
}

// Ends `cur` (its text joined from its words) into `out` and starts an empty segment.
void close_segment(transcript::Segment& cur, std::vector<transcript::Segment>& out) {
  cur.text = join_words(cur.words);
  out.push_back(std::move(cur));
  cur = {};
}

// Words only (no utterances or paragraphs): start a new segment at a pause or after a
// subtitle-sized run of words.
std::vector<transcript::Segment> segments_from_words(std::vector<transcript::Word> words) {
  constexpr double kPause = 1.0;
  constexpr size_t kMaxWords = 30;
  std::vector<transcript::Segment> out;
  transcript::Segment cur;
  for (auto& w : words) {
    bool split = !cur.words.empty() &&
                 (w.start - cur.words.back().end > kPause || cur.words.size() >= kMaxWords);
    if (split) close_segment(cur, out);
    if (cur.words.empty()) cur.start = w.start;
    cur.end = w.end;
    cur.words.push_back(std::move(w));
  }
  if (!cur.words.empty()) close_segment(cur, out);
  return out;
}

// Segments split where the speaker changes, each naming its speaker: utterances and
// paragraphs already follow speaker turns, but a sentence or a pause-cut run of words may
// hold two voices. A segment whose words name one speaker keeps its own text.
std::vector<transcript::Segment> split_at_speakers(std::vector<transcript::Segment> segments,
                                                   const std::vector<std::optional<int>>& given) {
  std::vector<transcript::Segment> out;
  for (size_t i = 0; i < segments.size(); ++i) {
    transcript::Segment& seg = segments[i];
    std::optional<int> own = i < given.size() ? given[i] : std::nullopt;
    bool mixed = false;
    std::optional<int> first;
    for (const auto& w : seg.words) {
      if (!w.speaker) continue;
      if (!first) first = w.speaker;
      mixed = mixed || w.speaker != first;
    }
    if (!mixed) {
      seg.speaker = own ? own : first;
      out.push_back(std::move(seg));
      continue;
    }
    transcript::Segment cur;
    for (auto& w : seg.words) {
      // A word without a speaker stays with the one before it.
      if (!cur.words.empty() && w.speaker && w.speaker != cur.speaker) close_segment(cur, out);
      if (cur.words.empty()) {
        cur.start = w.start;
        cur.speaker = w.speaker;
      }
      if (!cur.speaker) cur.speaker = w.speaker;
      cur.end = w.end;
      cur.words.push_back(std::move(w));
    }
    if (!cur.words.empty()) close_segment(cur, out);
  }
  return out;
}

}  // namespace

transcript::Transcript parse_deepgram_response(const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("results") || !j["results"].is_object()) {
    throw Error(ErrorKind::kServer, "unreadable transcription answer");
  }
  const json& results = j["results"];
  transcript::Transcript t;
  if (const json* m = object_field(j, "metadata")) t.duration = number_field_or(*m, "duration", 0);
  const json* alternative = nullptr;
  if (const json* ch = array_field(results, "channels"); ch && !ch->empty()) {
    const json& channel = (*ch)[0];
    t.language = to_iso639_1(string_field(channel, "detected_language"));
    if (const json* alts = array_field(channel, "alternatives"); alts && !alts->empty()) {
      alternative = &(*alts)[0];
      const json* languages = array_field(*alternative, "languages");
      if (t.language.empty() && languages && !languages->empty() && (*languages)[0].is_string()) {
        t.language = to_iso639_1((*languages)[0].get<std::string>());
      }
    }
  }

  // 1. Utterances: speech runs split at pauses, the closest thing to Whisper segments.
  std::vector<std::optional<int>> given;  // speakers the answer names per segment
  if (const json* u = array_field(results, "utterances"); u && !u->empty()) {
    for (const auto& utt : *u) {
      if (!utt.is_object()) continue;
      transcript::Segment seg;
      seg.start = number_field_or(utt, "start", 0);
      seg.end = number_field_or(utt, "end", seg.start);
      seg.words = parse_words(utt);
      seg.text = trim(string_field(utt, "transcript"));
      if (seg.text.empty()) seg.text = join_words(seg.words);
      if (!seg.text.empty()) {
        t.segments.push_back(std::move(seg));
        given.push_back(speaker_of(utt));
      }
    }
  }
  if (t.segments.empty() && alternative) {
    std::vector<transcript::Word> words = parse_words(*alternative);
    // 2. Paragraphs -> sentences.
    const json* paragraphs = nullptr;
    if (const json* p = object_field(*alternative, "paragraphs")) {
      paragraphs = array_field(*p, "paragraphs");
    }
    if (paragraphs) {
      for (const auto& para : *paragraphs) {
        const json* sentences = array_field(para, "sentences");
        if (!sentences) continue;
        std::optional<int> para_speaker = speaker_of(para);
        for (const auto& s : *sentences) {
          transcript::Segment seg;
          seg.start = number_field_or(s, "start", 0);
          seg.end = number_field_or(s, "end", seg.start);
          seg.text = trim(string_field(s, "text"));
          for (const auto& w : words) {
            double mid = (w.start + w.end) / 2;
            if (mid >= seg.start && mid <= seg.end) seg.words.push_back(w);
          }
          if (!seg.text.empty()) {
            t.segments.push_back(std::move(seg));
            given.push_back(para_speaker);
          }
        }
      }
    }
    // 3. Words alone.
    if (t.segments.empty() && !words.empty()) t.segments = segments_from_words(std::move(words));
    // 4. Only a transcript string.
    if (t.segments.empty()) {
      std::string text = trim(string_field(*alternative, "transcript"));
      if (!text.empty()) t.segments.push_back({.start = 0, .end = t.duration, .text = text});
    }
  }
  t.segments = split_at_speakers(std::move(t.segments), given);
  if (t.duration <= 0 && !t.segments.empty()) t.duration = t.segments.back().end;
  return t;
}

DeepgramTranscriber::DeepgramTranscriber(DeepgramSettings settings,
                                         std::shared_ptr<http::HttpClient> http)
    : settings_(std::move(settings)), http_(std::move(http)) {
  settings_.base_url = without_trailing_slashes(settings_.base_url);
  caps_.name = "deepgram";
  caps_.model = settings_.model;
  caps_.uploads = true;
  caps_.max_upload_bytes = settings_.max_upload_bytes;
  caps_.max_concurrency = std::max(1, settings_.max_concurrency);
  caps_.accepted_extensions = {"mp3",  "mp4",  "m4a", "aac", "ogg", "oga",  "opus", "wav",
                               "webm", "flac", "mkv", "mov", "amr", "mpeg", "mpga"};
  caps_.min_billed_s = 0;
  caps_.supports_translate = false;
}

std::string DeepgramTranscriber::listen_url(const TranscribeOptions& options) const {
  auto escape = [](const std::string& s) {
    char* e = curl_easy_escape(nullptr, s.c_str(), static_cast<int>(s.size()));
    std::string out = e ? e : "";
    curl_free(e);
    return out;
  };
  std::string url = settings_.base_url + "/v1/listen?model=" + escape(settings_.model) +
                    "&smart_format=true&punctuate=true&utterances=true";
  if (options.language.empty() || options.language == "auto") {
    url += "&detect_language=true";
  } else {
    url += "&language=" + escape(options.language);
  }
  if (settings_.mip_opt_out) url += "&mip_opt_out=true";
  // Speaker labels only when asked: diarization is billed as an add-on.
  if (options.diarize) url += "&diarize=true";
  return url;
}

transcript::Transcript DeepgramTranscriber::transcribe(const AudioFile& audio,
                                                       const TranscribeOptions& options) {
  if (options.cancelled && options.cancelled()) throw Error(ErrorKind::kCancelled, "cancelled");
  if (options.translate) {
    throw Error(ErrorKind::kInvalidInput, "deepgram: translation is not supported");
  }
  const int64_t size = checked_upload_size(audio, caps_);
  http::Request req;
  req.method = "POST";
  req.url = listen_url(options);
  req.timeout = settings_.timeout + http::time_at_rate(size, settings_.min_upload_rate_bytes_per_s);
  req.stall = settings_.stall;
  // A /cancel or the shutdown deadline ends the request, also while the engine thinks.
  req.cancelled = options.cancelled;
  req.max_body_bytes = 64'000'000;
  req.headers.emplace_back("Authorization", "Token " + settings_.api_key);
  req.headers.emplace_back(
      "Content-Type", audio.content_type.empty() ? "application/octet-stream" : audio.content_type);
  req.headers.emplace_back("Accept", "application/json");
  req.body_file = audio.path;

  http::Response res = http_->send(req);
  report_rate_headers(options, res);
  const std::string what = "deepgram /v1/listen";
  throw_unless_2xx(res, what);
  transcript::Transcript t = parse_answer(res, what, parse_deepgram_response);
  t.engine = caps_.name;
  t.model = caps_.model;
  finish_transcript(t, audio, options);
  return t;
}

}  // namespace tgscribe::engine
