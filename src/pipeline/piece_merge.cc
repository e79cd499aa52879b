#include "pipeline/piece_merge.h"

#include <algorithm>
#include <limits>
#include <map>

namespace tgscribe::pipeline {

transcript::Transcript merge_pieces(const std::vector<PieceTranscript>& pieces) {
  transcript::Transcript out;
  std::map<std::string, int> languages;
  const double inf = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < pieces.size(); ++i) {
    const auto& p = pieces[i];
    // The piece owns [lo, hi): from the middle of its overlap with the previous piece to the
    // middle of its overlap with the next (pieces separated by skipped silence overlap nothing
    // and own everything they return).
    double lo = -inf, hi = inf;
    if (i > 0 && pieces[i - 1].end_s > p.start_s) lo = (p.start_s + pieces[i - 1].end_s) / 2;
    if (i + 1 < pieces.size() && p.end_s > pieces[i + 1].start_s) {
      hi = (pieces[i + 1].start_s + p.end_s) / 2;
    }
    if (!p.transcript.language.empty()) ++languages[p.transcript.language];
    if (out.engine.empty()) out.engine = p.transcript.engine;
    if (out.model.empty()) out.model = p.transcript.model;
    for (auto seg : p.transcript.segments) {
      seg.start += p.start_s;
      seg.end += p.start_s;
      double mid = (seg.start + seg.end) / 2;
      if (mid < lo || mid >= hi) continue;
      for (auto& w : seg.words) {
        w.start += p.start_s;
        w.end += p.start_s;
      }
      out.segments.push_back(std::move(seg));
    }
    out.duration = std::max(out.duration, p.end_s);
  }
  std::stable_sort(out.segments.begin(), out.segments.end(),
                   [](const auto& a, const auto& b) { return a.start < b.start; });
  int best = 0;
  for (const auto& [lang, n] : languages) {
    if (n > best) {
      best = n;
      out.language = lang;
    }
  }
  return out;
}

}  // namespace tgscribe::pipeline
