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
  // Who spoke it, numbered from 1 as users read it ("Speaker 1"); absent unless the engine
  // was asked to tell speakers apart (Deepgram diarize=true).
  std::optional<int> speaker;
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
  // The one speaker of the whole segment (engines' segments are split where the speaker
  // changes); absent without diarization.
  std::optional<int> speaker;
};

struct Transcript {
  std::string language;  // ISO 639-1 ("en", "id"), or empty when unknown
  double duration = 0;   // seconds of the original media
  std::string engine;    // "groq", "openai", "deepgram", "sphinx"
  std::string model;
  std::vector<Segment> segments;

  // Segment texts joined with single spaces (paragraph breaks where the engine had them).
  std::string text() const;
  // True when any segment names its speaker (a diarized transcript).
  bool has_speakers() const;
};

// A copy without speaker fields: a diarized transcript served to a chat that did not ask for
// speaker labels reads like any other.
Transcript without_speakers(Transcript t);

}  // namespace tgscribe::transcript
