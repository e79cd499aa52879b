#include "transcript/timing.h"

#include <algorithm>
#include <cmath>

#include "common/utf8.h"

namespace tgscribe::transcript {
namespace {

// A segment that claims zero length still needs to be visible for a moment.
constexpr int64_t kMinSegmentMs = 500;

int64_t to_ms(double seconds) {
  if (!std::isfinite(seconds) || seconds <= 0) return 0;
  // Anything beyond ~290 years is a broken engine answer; clamp rather than overflow.
  return static_cast<int64_t>(std::llround(std::min(seconds, 1e10) * 1000.0));
}

double to_s(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

}  // namespace

std::string clean_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (size_t i = 0; i < text.size();) {
    size_t start = i;
    char32_t cp = utf8::decode(text, i);
    bool control = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0);
    if (utf8::is_space(cp) || control) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    if (cp == utf8::kReplacement)
      utf8::append(out, cp);
    else
      out.append(text.substr(start, i - start));
  }
  return out;
}

Transcript normalized(const Transcript& t) {
  Transcript out = t;
  out.segments.clear();
  struct Item {
    int64_t start, end;
    const Segment* seg;
  };
  std::vector<Item> items;
  for (const auto& s : t.segments) {
    if (clean_text(s.text).empty()) continue;
    items.push_back({to_ms(s.start), to_ms(s.end), &s});
  }
  std::stable_sort(items.begin(), items.end(),
                   [](const Item& a, const Item& b) { return a.start < b.start; });
  // Equal starts: nudge later ones forward by a millisecond so every segment keeps a slot.
  for (size_t i = 1; i < items.size(); ++i)
    items[i].start = std::max(items[i].start, items[i - 1].start + 1);
  for (size_t i = 0; i < items.size(); ++i) {
    auto& it = items[i];
    int64_t limit = i + 1 < items.size() ? items[i + 1].start : INT64_MAX;
    if (it.end <= it.start) it.end = it.start + kMinSegmentMs;
    it.end = std::min(it.end, limit);
    Segment s = *it.seg;
    s.text = clean_text(s.text);
    s.start = to_s(it.start);
    s.end = to_s(it.end);
    int64_t prev_word_end = it.start;
    std::vector<Word> words;
    for (const auto& w : it.seg->words) {
      std::string wt = clean_text(w.text);
      if (wt.empty()) continue;
      int64_t ws = std::clamp(to_ms(w.start), prev_word_end, it.end);
      int64_t we = std::clamp(to_ms(w.end), ws, it.end);
      words.push_back({to_s(ws), to_s(we), wt, w.confidence, w.speaker});
      prev_word_end = we;
    }
    s.words = std::move(words);
    out.segments.push_back(std::move(s));
  }
  if (!std::isfinite(out.duration) || out.duration < 0) out.duration = 0;
  if (!out.segments.empty()) out.duration = std::max(out.duration, out.segments.back().end);
  return out;
}

}  // namespace tgscribe::transcript
