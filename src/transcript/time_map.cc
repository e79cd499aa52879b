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

size_t TimeMap::span_of(double t, bool is_end) const {
  for (size_t i = 0; i < kept_.size(); ++i) {
    const double off = t - sent_start_[i];
    if (is_end ? off <= kept_[i].end - kept_[i].start : off < kept_[i].end - kept_[i].start) {
      return i;
    }
  }
  return kept_.empty() ? 0 : kept_.size() - 1;
}

std::pair<double, double> TimeMap::map_range(double a, double b) const {
  if (kept_.empty()) return {a, b};
  const size_t i = span_of(a, false), j = span_of(std::max(a, b), true);
  if (i >= j) return {to_original(a), std::max(to_original(a), to_original(b, true))};
  size_t best = i;
  double best_len = -1;
  for (size_t k = i; k <= j; ++k) {
    const double len =
        std::min(b, sent_start_[k] + (kept_[k].end - kept_[k].start)) - std::max(a, sent_start_[k]);
    if (len > best_len) {
      best = k;
      best_len = len;
    }
  }
  const double lo = std::max(a, sent_start_[best]);
  const double hi = std::min(b, sent_start_[best] + (kept_[best].end - kept_[best].start));
  return {kept_[best].start + lo - sent_start_[best], kept_[best].start + hi - sent_start_[best]};
}

void map_times(Transcript& t, const TimeMap& map, double origin) {
  for (auto& s : t.segments) {
    const auto [start, end] = map.map_range(s.start, s.end);
    s.start = start - origin;
    s.end = end - origin;
    for (auto& w : s.words) {
      const auto [ws, we] = map.map_range(w.start, w.end);
      w.start = ws - origin;
      w.end = we - origin;
    }
  }
}

}  // namespace tgscribe::transcript
