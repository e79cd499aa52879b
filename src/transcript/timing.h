#pragma once
// Cleans a transcript for output: engines (and chunk merges) can hand back overlapping,
// negative, reversed or NaN times and odd whitespace; subtitle players and users cannot cope.
#include <string>
#include <string_view>

#include "transcript/transcript.h"

namespace tgscribe::transcript {

// Text made safe for one output line: valid UTF-8, control characters and line breaks turned
// into spaces, runs of whitespace collapsed, trimmed.
std::string clean_text(std::string_view text);

// A copy whose segments are non-empty (clean_text), ordered by start, with times rounded to
// whole milliseconds, non-negative, each end > start, and no overlaps (an overlapping end is
// pulled back to the next start). Word times are clamped into their segment, non-decreasing.
// Duration is at least the last end.
Transcript normalized(const Transcript& t);

}  // namespace tgscribe::transcript
