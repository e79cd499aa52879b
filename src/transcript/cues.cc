#include "transcript/cues.h"

#include <algorithm>
#include <cmath>

#include "common/utf8.h"
#include "transcript/timing.h"

namespace tgscribe::transcript {
namespace {

struct Token {
  std::u32string text;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
};

int64_t ms(double s) { return static_cast<int64_t>(std::llround(s * 1000.0)); }

std::vector<std::u32string> split_spaces(const std::u32string& s) {
  std::vector<std::u32string> out;
  std::u32string cur;
  for (char32_t c : s) {
    if (c == ' ') {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

// A token longer than a whole cue (a URL, or CJK text without spaces) is cut at grapheme
// boundaries into pieces that fit.
std::vector<std::u32string> split_long(const std::u32string& tok, size_t max_chars) {
  if (tok.size() <= max_chars) return {tok};
  std::vector<std::u32string> out;
  size_t pos = 0;
  while (pos < tok.size()) {
    size_t end = std::min(tok.size(), pos + max_chars);
    if (end < tok.size()) {
      size_t cut = end;
      while (cut > pos + 1 && !utf8::is_grapheme_boundary(tok, cut)) --cut;
      if (cut > pos + 1 || utf8::is_grapheme_boundary(tok, cut)) end = cut;
    }
    out.push_back(tok.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

std::vector<Token> tokenize(const Segment& s, size_t max_chars) {
  int64_t s0 = ms(s.start), s1 = ms(s.end);
  std::vector<std::u32string> raw = split_spaces(utf8::to_u32(s.text));
  std::vector<Token> out;
  if (!s.words.empty() && s.words.size() == raw.size()) {
    for (size_t i = 0; i < raw.size(); ++i) {
      auto pieces = split_long(raw[i], max_chars);
      int64_t ws = ms(s.words[i].start), we = ms(s.words[i].end);
      size_t total = 0;
      for (auto& p : pieces) total += p.size();
      size_t done = 0;
      for (auto& p : pieces) {
        int64_t a = ws + (we - ws) * static_cast<int64_t>(done) / static_cast<int64_t>(total);
        done += p.size();
        int64_t b = ws + (we - ws) * static_cast<int64_t>(done) / static_cast<int64_t>(total);
        out.push_back({p, a, b});
      }
    }
    return out;
  }
  std::vector<std::u32string> pieces;
  for (auto& r : raw)
    for (auto& p : split_long(r, max_chars)) pieces.push_back(std::move(p));
  size_t total = 0;
  for (auto& p : pieces) total += p.size() + 1;
  size_t done = 0;
  for (auto& p : pieces) {
    int64_t a = s0 + (s1 - s0) * static_cast<int64_t>(done) / static_cast<int64_t>(total);
    done += p.size() + 1;
    int64_t b = s0 + (s1 - s0) * static_cast<int64_t>(done) / static_cast<int64_t>(total);
    out.push_back({std::move(p), a, b});
  }
  return out;
}

// Two lines when the text is too long for one: cut at the space nearest the middle.
std::string wrap(const std::u32string& text, size_t max_line_chars) {
  if (text.size() <= max_line_chars) return utf8::from_u32(text);
  size_t mid = text.size() / 2, best = std::u32string::npos;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != ' ') continue;
    if (best == std::u32string::npos ||
        (i > mid ? i - mid : mid - i) < (best > mid ? best - mid : mid - best))
      best = i;
  }
  if (best == std::u32string::npos) return utf8::from_u32(text);
  return utf8::from_u32(text.substr(0, best)) + "\n" + utf8::from_u32(text.substr(best + 1));
}

}  // namespace

std::vector<Cue> make_cues(const Transcript& t, const CueLimits& limits) {
  const size_t max_chars = std::max<size_t>(limits.max_chars, 1);
  const int64_t max_ms = std::max<int64_t>(ms(limits.max_duration_s), 1);
  Transcript n = normalized(t);
  struct RawCue {
    int64_t start, end;
    std::u32string text;
    size_t segment;
  };
  std::vector<RawCue> raw;
  for (size_t seg_index = 0; seg_index < n.segments.size(); ++seg_index) {
    const Segment& seg = n.segments[seg_index];
    const int64_t s0 = ms(seg.start), s1 = ms(seg.end);
    std::vector<Token> toks = tokenize(seg, max_chars);
    // Token times must stay inside the segment and never go backwards.
    int64_t prev = s0;
    for (auto& tk : toks) {
      tk.start_ms = std::clamp(tk.start_ms, prev, s1);
      tk.end_ms = std::clamp(tk.end_ms, tk.start_ms, s1);
      prev = tk.start_ms;
    }
    size_t chars = 0;
    for (auto& tk : toks) chars += tk.text.size() + 1;
    // Aim for pieces of equal size rather than a full cue followed by a stub.
    size_t pieces = std::max<size_t>({1, (chars + max_chars - 1) / (max_chars + 1),
                                      static_cast<size_t>((s1 - s0 + max_ms - 1) / max_ms)});
    size_t target = chars / pieces;
    std::vector<std::pair<size_t, size_t>> groups;  // [first, last) token ranges
    size_t first = 0, len = 0;
    for (size_t i = 0; i < toks.size(); ++i) {
      size_t add = toks[i].text.size() + (len ? 1 : 0);
      bool too_long = len && len + add > max_chars;
      bool too_slow = len && toks[i].end_ms - toks[first].start_ms > max_ms;
      bool enough = len && len >= target;
      if (too_long || too_slow || enough) {
        groups.push_back({first, i});
        first = i;
        len = 0;
        add = toks[i].text.size();
      }
      len += add;
    }
    if (!toks.empty()) groups.push_back({first, toks.size()});
    for (size_t g = 0; g < groups.size(); ++g) {
      auto [a, b] = groups[g];
      std::u32string text;
      for (size_t i = a; i < b; ++i) {
        if (!text.empty()) text.push_back(' ');
        text += toks[i].text;
      }
      // Cues tile the segment: each ends where the next one starts.
      int64_t start = g == 0 ? s0 : toks[a].start_ms;
      int64_t end = g + 1 == groups.size() ? s1 : toks[groups[g + 1].first].start_ms;
      raw.push_back({start, end, std::move(text), seg_index});
    }
  }
  // Proportional or word times can squeeze a cue to nothing: fold it into its neighbour in
  // the same segment (the next one, else the previous) rather than emit a zero-length cue
  // that players would drop together with its words.
  std::vector<RawCue> merged;
  for (size_t i = 0; i < raw.size(); ++i) {
    RawCue c = std::move(raw[i]);
    if (c.end <= c.start) {
      if (i + 1 < raw.size() && raw[i + 1].segment == c.segment) {
        raw[i + 1].text = c.text + U' ' + raw[i + 1].text;
        raw[i + 1].start = c.start;
        continue;
      }
      if (!merged.empty() && merged.back().segment == c.segment) {
        merged.back().text += U' ' + c.text;
        continue;
      }
    }
    merged.push_back(std::move(c));
  }
  std::vector<Cue> out;
  for (auto& c : merged) {
    Cue cue{c.start, c.end, wrap(c.text, limits.max_line_chars), n.segments[c.segment].speaker};
    if (!out.empty() && cue.start_ms < out.back().end_ms) cue.start_ms = out.back().end_ms;
    if (cue.end_ms <= cue.start_ms) cue.end_ms = cue.start_ms + 1;
    out.push_back(std::move(cue));
  }
  return out;
}

}  // namespace tgscribe::transcript
