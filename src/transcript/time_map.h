#pragma once
// Audio sent to an engine with silences left out is the original's kept spans laid end to end;
// this maps the engine's times (on the sent audio's clock) back to the original recording's.
#include <utility>
#include <vector>

#include "transcript/transcript.h"

namespace tgscribe::transcript {

struct KeptSpan {
  double start = 0;  // seconds in the original
  double end = 0;
};

class TimeMap {
 public:
  // `kept`: in order, not overlapping. Empty: the identity.
  explicit TimeMap(std::vector<KeptSpan> kept);

  // The original time of `t` seconds into the sent audio. A time on the seam between two spans
  // is the end of the earlier span when `is_end` (a segment ending there ends before the
  // silence left out), else the start of the later one. Times past the sent audio continue
  // from the last span's end (engines may place a last word a little past the end).
  double to_original(double t, bool is_end = false) const;
  // [a, b] on the original clock. A range across left-out silence keeps only its part in the
  // span holding most of it: a segment must not stretch over the silence (an hour, maybe).
  std::pair<double, double> map_range(double a, double b) const;
  double sent_s() const { return sent_s_; }

 private:
  size_t span_of(double t, bool is_end) const;

  std::vector<KeptSpan> kept_;
  std::vector<double> sent_start_;  // where each span starts in the sent audio
  double sent_s_ = 0;
};

// Puts every segment's and word's times on the original clock, minus `origin` (so that a
// chunk's transcript stays relative to its first kept span, as transcript::merge_chunks
// expects).
void map_times(Transcript& t, const TimeMap& map, double origin = 0);

}  // namespace tgscribe::transcript
