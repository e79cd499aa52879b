#include "transcript/json_format.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/json_fields.h"

namespace tgscribe::transcript {
namespace {

// ordered_json keeps the contract's key order (file, language, ...), which reads better and
// is still deterministic for the cache.
using json = nlohmann::ordered_json;

// Times are written in whole milliseconds: finer digits are noise from the engines, and
// short numbers keep the files readable. NaN/inf (a broken engine answer) become 0 so the
// output stays valid JSON.
double ms(double seconds) {
  if (!std::isfinite(seconds)) return 0;
  return std::round(seconds * 1000.0) / 1000.0;
}

// A speaker number (1, 2, ...); absent, or anything else, reads as unknown. Cache entries
// written before diarization have none.
std::optional<int> get_speaker(const json& j) {
  auto v = integer_field(j, "speaker");
  if (!v || *v < 1 || *v > 1000) return std::nullopt;
  return static_cast<int>(*v);
}

json word_to_json(const Word& w) {
  json j = {{"start", ms(w.start)}, {"end", ms(w.end)}, {"word", w.text}};
  if (w.confidence >= 0 && std::isfinite(w.confidence)) j["confidence"] = w.confidence;
  if (w.speaker) j["speaker"] = *w.speaker;
  return j;
}

json segment_to_json(const Segment& s) {
  json j = {{"start", ms(s.start)}, {"end", ms(s.end)}};
  // Written only when known: transcripts without diarization keep the contract's shape.
  if (s.speaker) j["speaker"] = *s.speaker;
  j["text"] = s.text;
  if (!s.words.empty()) {
    json words = json::array();
    for (const auto& w : s.words) words.push_back(word_to_json(w));
    j["words"] = std::move(words);
  }
  auto put = [&](const char* key, const std::optional<double>& v) {
    if (v && std::isfinite(*v)) j[key] = *v;
  };
  put("avg_logprob", s.avg_logprob);
  put("no_speech_prob", s.no_speech_prob);
  put("compression_ratio", s.compression_ratio);
  return j;
}

}  // namespace

std::string to_json(const Transcript& t, const std::string& file, bool pretty) {
  json j;
  if (!file.empty()) j["file"] = file;
  j["language"] = t.language;
  j["duration"] = ms(t.duration);
  j["engine"] = t.engine;
  if (!t.model.empty()) j["model"] = t.model;
  j["text"] = t.text();
  json segments = json::array();
  for (const auto& s : t.segments) segments.push_back(segment_to_json(s));
  j["segments"] = std::move(segments);
  // Engines and file names can hand us invalid UTF-8; replace it (U+FFFD) instead of
  // throwing, so one bad byte never loses a whole transcript.
  return j.dump(pretty ? 2 : -1, ' ', false, json::error_handler_t::replace) + (pretty ? "\n" : "");
}

Transcript from_json(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw std::runtime_error("transcript JSON: parse error");
  if (!j.is_object()) throw std::runtime_error("transcript JSON: not an object");
  Transcript t;
  t.language = string_field(j, "language");
  t.duration = number_field_or(j, "duration", 0);
  t.engine = string_field(j, "engine");
  t.model = string_field(j, "model");
  auto segs = j.find("segments");
  if (segs != j.end()) {
    if (!segs->is_array()) throw std::runtime_error("transcript JSON: segments is not an array");
    for (const auto& js : *segs) {
      if (!js.is_object()) throw std::runtime_error("transcript JSON: segment is not an object");
      Segment s;
      s.start = number_field_or(js, "start", 0);
      s.end = number_field_or(js, "end", 0);
      s.text = string_field(js, "text");
      s.avg_logprob = number_field(js, "avg_logprob");
      s.no_speech_prob = number_field(js, "no_speech_prob");
      s.compression_ratio = number_field(js, "compression_ratio");
      s.speaker = get_speaker(js);
      auto words = js.find("words");
      if (words != js.end() && words->is_array()) {
        for (const auto& jw : *words) {
          if (!jw.is_object()) continue;
          Word w;
          w.start = number_field_or(jw, "start", 0);
          w.end = number_field_or(jw, "end", 0);
          w.text = string_field(jw, "word");
          if (w.text.empty()) w.text = string_field(jw, "text");
          w.confidence = number_field_or(jw, "confidence", -1);
          w.speaker = get_speaker(jw);
          s.words.push_back(std::move(w));
        }
      }
      t.segments.push_back(std::move(s));
    }
  }
  return t;
}

}  // namespace tgscribe::transcript
