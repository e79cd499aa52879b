#pragma once
// The transcript model every engine produces and every writer consumes.
#include <optional>
#include <string>
#include <vector>

namespace tgscribe::transcript {

struct Word {
  double start = 0;  // seconds from the start of the original media
  double end = 0;
  std::string text;
  double confidence = -1;  // -1: unknown
};

struct Segment {
  double start = 0;  // seconds from the start of the original media
  double end = 0;
  std::string text;  // UTF-8, trimmed
  std::vector<Word> words;
  // Whisper-style quality figures (OpenAI-compatible verbose_json); absent for other engines.
  std::optional<double> avg_logprob;
  std::optional<double> no_speech_prob;
  std::optional<double> compression_ratio;
};

struct Transcript {
  std::string language;  // ISO 639-1 ("en", "id"), or empty when unknown
  double duration = 0;   // seconds of the original media
  std::string engine;    // "groq", "openai", "deepgram", "sphinx"
  std::string model;
  std::vector<Segment> segments;

  // Segment texts joined with single spaces (paragraph breaks where the engine had them).
  std::string text() const;
};

}  // namespace tgscribe::transcript
