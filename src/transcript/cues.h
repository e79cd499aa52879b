#pragma once
// Subtitle cues: the timed pieces srt and vtt are made of. Long segments are split so a cue
// stays readable (Netflix-style guidance: about 7 s and two lines of 42 characters).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "transcript/transcript.h"

namespace tgscribe::transcript {

struct Cue {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  std::string text;            // clean UTF-8, at most one '\n' (two lines)
  std::optional<int> speaker;  // of the segment the cue comes from (diarized transcripts)
};

struct CueLimits {
  double max_duration_s = 7.0;
  size_t max_chars = 84;       // code points per cue
  size_t max_line_chars = 42;  // a longer cue text is wrapped onto two lines
};

// Cues in order, non-overlapping, start >= 0, end > start, every word of the transcript in
// exactly one cue. Word timestamps are used for the cut points when the segment has one word
// per text token; otherwise time is shared out in proportion to characters.
std::vector<Cue> make_cues(const Transcript& t, const CueLimits& limits = {});

}  // namespace tgscribe::transcript
