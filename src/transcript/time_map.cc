#include "transcript/time_map.h"

#include <algorithm>

namespace tgscribe::transcript {

TimeMap::TimeMap(std::vector<KeptSpan> kept) : kept_(std::move(kept)) {
  for (const auto& k : kept_) {
    sent_start_.push_back(sent_s_);
    sent_s_ += std::max(0.0, k.end - k.start);
  }
}

double TimeMap::to_original(double t, bool is_end) const {
  if (kept_.empty()) return t;
  if (t <= 0) return kept_.front().start + t;
  for (size_t i = 0; i < kept_.size(); ++i) {
    const double len = kept_[i].end - kept_[i].start;
    const double off = t - sent_start_[i];
    const bool inside = is_end ? off <= len : off < len;
    if (inside) return kept_[i].start + off;
  }
  return kept_.back().end + (t - sent_s_);
}

void map_times(Transcript& t, const TimeMap& map, double origin) {
  for (auto& s : t.segments) {
    const double start = map.to_original(s.start) - origin;
    const double end = map.to_original(s.end, true) - origin;
    s.start = start;
    s.end = std::max(start, end);
    for (auto& w : s.words) {
      const double ws = map.to_original(w.start) - origin;
      w.end = std::max(ws, map.to_original(w.end, true) - origin);
      w.start = ws;
    }
  }
}

}  // namespace tgscribe::transcript
