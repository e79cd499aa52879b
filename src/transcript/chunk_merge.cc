#include "transcript/chunk_merge.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <map>
#include <optional>
#include <string>

#include "transcript/timing.h"

namespace tgscribe::transcript {
namespace {

// At most this many words are compared when looking for a phrase repeated at a seam.
constexpr size_t kMaxSeamWords = 8;
// A repeat of fewer words may be genuine ("no, no").
constexpr size_t kMinSeamWords = 2;

std::vector<std::string> tokens(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : clean_text(text)) {
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

// Case and punctuation do not make a word different at a seam ("Hello," vs "hello").
std::string norm(const std::string& w) {
  std::string out;
  for (unsigned char c : w)
    if (c >= 0x80 || std::isalnum(c)) out.push_back(static_cast<char>(std::tolower(c)));
  return out;
}

std::string join(const std::vector<std::string>& words, size_t from = 0) {
  std::string out;
  for (size_t i = from; i < words.size(); ++i) {
    if (!out.empty()) out.push_back(' ');
    out += words[i];
  }
  return out;
}

// The part of `s` (already on the media clock) whose centre lies in [lo, hi).
std::optional<Segment> clip(const Segment& s, double lo, double hi) {
  auto inside = [&](double a, double b) {
    double c = (a + b) / 2;
    return c >= lo && c < hi;
  };
  if (s.words.empty()) {
    if (inside(s.start, s.end)) return s;
    return std::nullopt;
  }
  Segment out = s;
  out.words.clear();
  for (const auto& w : s.words)
    if (inside(w.start, w.end)) out.words.push_back(w);
  if (out.words.size() == s.words.size()) return s;
  if (out.words.empty()) return std::nullopt;
  std::vector<std::string> texts;
  for (const auto& w : out.words) texts.push_back(clean_text(w.text));
  out.text = join(texts);
  out.start = out.words.front().start;
  out.end = out.words.back().end;
  return out;
}

// Drops the first n words of `segs` (whole segments when they run out).
void drop_leading_words(std::vector<Segment>& segs, size_t n) {
  while (n > 0 && !segs.empty()) {
    Segment& s = segs.front();
    auto words = tokens(s.text);
    if (words.size() <= n) {
      n -= words.size();
      segs.erase(segs.begin());
      continue;
    }
    s.text = join(words, n);
    if (s.words.size() == words.size()) {
      s.words.erase(s.words.begin(), s.words.begin() + static_cast<long>(n));
      s.start = s.words.front().start;
    } else {
      s.words.clear();  // cannot tell which timed words went: better none than wrong ones
    }
    n = 0;
  }
}

// How many words at the start of `next` repeat the end of `prev`.
size_t seam_repeat(const std::vector<Segment>& prev, const std::vector<Segment>& next) {
  std::vector<std::string> tail, head;
  for (auto it = prev.rbegin(); it != prev.rend() && tail.size() < kMaxSeamWords; ++it) {
    auto w = tokens(it->text);
    for (auto wi = w.rbegin(); wi != w.rend() && tail.size() < kMaxSeamWords; ++wi)
      tail.insert(tail.begin(), norm(*wi));
  }
  for (const auto& s : next) {
    for (const auto& w : tokens(s.text)) {
      if (head.size() >= kMaxSeamWords) break;
      head.push_back(norm(w));
    }
    if (head.size() >= kMaxSeamWords) break;
  }
  for (size_t n = std::min(tail.size(), head.size()); n >= kMinSeamWords; --n) {
    if (std::equal(tail.end() - static_cast<long>(n), tail.end(), head.begin())) return n;
  }
  return 0;
}

}  // namespace

Transcript merge_chunks(const std::vector<Chunk>& chunks) {
  Transcript out;
  if (chunks.empty()) return out;
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> start(chunks.size()), end(chunks.size());
  for (size_t k = 0; k < chunks.size(); ++k) {
    double len = chunks[k].duration > 0 ? chunks[k].duration : chunks[k].transcript.duration;
    start[k] = chunks[k].offset;
    end[k] = chunks[k].offset + std::max(0.0, len);
  }
  // cut[k] separates chunk k from chunk k+1 where they overlap. Chunks that do not overlap
  // cannot repeat each other, so nothing is clipped there (an engine may put the last word a
  // little past the chunk end; it must not be lost).
  std::vector<double> cut_hi(chunks.size(), inf), cut_lo(chunks.size(), -inf);
  for (size_t k = 0; k + 1 < chunks.size(); ++k) {
    if (end[k] > start[k + 1]) cut_hi[k] = cut_lo[k + 1] = (start[k + 1] + end[k]) / 2;
  }

  std::map<std::string, int> languages;
  std::vector<std::string> language_order;
  for (size_t k = 0; k < chunks.size(); ++k) {
    const Transcript& t = chunks[k].transcript;
    if (!t.language.empty() && languages[t.language]++ == 0) language_order.push_back(t.language);
    if (out.engine.empty()) out.engine = t.engine;
    if (out.model.empty()) out.model = t.model;

    const double lo = cut_lo[k];
    const double hi = cut_hi[k];
    std::vector<Segment> kept;
    for (Segment s : t.segments) {
      s.start += start[k];
      s.end += start[k];
      for (auto& w : s.words) {
        w.start += start[k];
        w.end += start[k];
      }
      if (auto c = clip(s, lo, hi)) kept.push_back(std::move(*c));
    }
    // Both chunks heard the words around the cut; if the cut fell between a word's two
    // estimates, the same words come out twice. Only look at the seam itself.
    if (k > 0 && !kept.empty() && !out.segments.empty() && end[k - 1] > start[k] &&
        kept.front().start < end[k - 1] + 1.0) {
      drop_leading_words(kept, seam_repeat(out.segments, kept));
    }
    for (auto& s : kept) out.segments.push_back(std::move(s));
    out.duration = std::max(out.duration, end[k]);
  }
  int best = 0;
  for (const auto& l : language_order) {
    if (languages[l] > best) {
      best = languages[l];
      out.language = l;
    }
  }
  std::stable_sort(out.segments.begin(), out.segments.end(),
                   [](const Segment& a, const Segment& b) { return a.start < b.start; });
  return out;
}

}  // namespace tgscribe::transcript
