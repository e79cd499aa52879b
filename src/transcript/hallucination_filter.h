#pragma once
// Whisper-family engines invent text over silence and music ("Thanks for watching!",
// subtitle credits) and loop on a phrase. Their verbose_json gives the signals to catch it;
// the thresholds are Whisper's own defaults (transcribe.py), which its authors tuned.
#include <string>
#include <string_view>

#include "transcript/transcript.h"

namespace tgscribe::transcript {

// Probably no speech: no_speech_prob above this AND avg_logprob below kLowAvgLogprob.
inline constexpr double kNoSpeechProbThreshold = 0.6;
inline constexpr double kLowAvgLogprob = -1.0;
// Text that gzip-compresses this well is repetition ("the the the ..."), not speech.
inline constexpr double kCompressionRatioThreshold = 2.4;
// A known silence phrase is dropped when its segment is at least this unsure.
inline constexpr double kPhraseNoSpeechProb = 0.2;
inline constexpr double kPhraseAvgLogprob = -0.5;

enum class DropReason { kKeep, kEmpty, kNoSpeech, kRepetition, kSilencePhrase };
const char* to_string(DropReason r);

// Why `s` should be dropped (kKeep: it should not). Segments without quality figures (engines
// other than Whisper) are only dropped when empty.
DropReason classify_segment(const Segment& s);

// True when the text consists only of phrases Whisper is known to produce on silence
// ("Thanks for watching", "Subtitles by the Amara.org community", ...), ignoring case and
// punctuation.
bool is_silence_phrase(std::string_view text);

struct FilterStats {
  int kept = 0;
  int dropped = 0;
};

// The transcript without the segments classify_segment() rejects.
Transcript filter_hallucinations(const Transcript& t, FilterStats* stats = nullptr);

}  // namespace tgscribe::transcript
