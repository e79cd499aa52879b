#include "transcript/message_splitter.h"

#include <algorithm>
#include <array>

#include "common/utf8.h"

namespace tgscribe::transcript {
namespace {

enum Level { kCodePoint = 0, kGrapheme, kWord, kSentence, kLine, kParagraph, kLevels };

bool is_sentence_end(char32_t c) {
  return c == '.' || c == '!' || c == '?' || c == 0x2026 /* … */ || c == 0x3002 /* 。 */ ||
         c == 0xFF01 /* ！ */ || c == 0xFF1F /* ？ */ || c == 0x061F /* ؟ */ || c == 0x0964;
}

bool is_closer(char32_t c) {
  return c == '"' || c == '\'' || c == ')' || c == ']' || c == 0x201D || c == 0x2019 ||
         c == 0x00BB || c == 0x300D || c == 0x300F || c == 0xFF09;
}

// Full-width sentence ends need no space after them: Chinese and Japanese text has none.
bool is_cjk_sentence_end(char32_t c) { return c == 0x3002 || c == 0xFF01 || c == 0xFF1F; }

class Splitter {
 public:
  Splitter(std::u32string cps, size_t limit) : cps_(std::move(cps)), limit_(limit) {
    units_.resize(cps_.size() + 1, 0);
    for (size_t i = 0; i < cps_.size(); ++i) units_[i + 1] = units_[i] + utf8::utf16_units(cps_[i]);
  }

  std::vector<std::string> run() {
    std::vector<std::string> parts;
    size_t pos = skip_space(0);
    while (pos < cps_.size()) {
      size_t end = trim_end(cps_.size());
      if (units_[end] - units_[pos] <= limit_) {
        parts.push_back(utf8::from_u32(std::u32string_view(cps_).substr(pos, end - pos)));
        break;
      }
      size_t cut = find_cut(pos);
      size_t part_end = trim_end(cut);
      parts.push_back(utf8::from_u32(std::u32string_view(cps_).substr(pos, part_end - pos)));
      pos = skip_space(cut);
    }
    return parts;
  }

 private:
  size_t skip_space(size_t i) const {
    while (i < cps_.size() && utf8::is_space(cps_[i])) ++i;
    return i;
  }
  size_t trim_end(size_t i) const {
    while (i > 0 && utf8::is_space(cps_[i - 1])) --i;
    return i;
  }

  // The best boundary level at which the text may be cut before cps_[i] (pos < i).
  Level level_at(size_t i) const {
    char32_t prev = cps_[i - 1];
    if (i < cps_.size() && utf8::is_space(cps_[i]) && !utf8::is_space(prev)) {
      int newlines = 0;
      for (size_t k = i; k < cps_.size() && utf8::is_space(cps_[k]); ++k) {
        if (cps_[k] == '\n' || cps_[k] == 0x2029) ++newlines;
        if (cps_[k] == 0x2029) ++newlines;  // PARAGRAPH SEPARATOR is a paragraph on its own
      }
      if (newlines >= 2) return kParagraph;
      if (newlines == 1) return kLine;
      size_t k = i;
      while (k > 0 && is_closer(cps_[k - 1])) --k;
      if (k > 0 && is_sentence_end(cps_[k - 1])) return kSentence;
      return kWord;
    }
    if (utf8::is_space(prev)) return kCodePoint;  // mid-run: the run's start is the cut
    if (!utf8::is_grapheme_boundary(cps_, i)) return kCodePoint;
    if (is_cjk_sentence_end(prev) && !is_closer(cps_[i])) return kSentence;
    return kGrapheme;
  }

  size_t find_cut(size_t pos) const {
    // The furthest code point index `e` such that [pos, e) fits the limit.
    size_t e = std::upper_bound(units_.begin() + pos, units_.end(), units_[pos] + limit_) -
               units_.begin() - 1;
    std::array<size_t, kLevels> best{};  // furthest boundary per level, 0 = none
    for (size_t i = e; i > pos; --i) {
      Level l = level_at(i);
      for (int k = l; k >= 0 && best[k] == 0; --k) best[k] = i;
      if (best[kParagraph]) break;
    }
    // Prefer the strongest boundary that still leaves at least half a message; otherwise
    // keep the last word whole (it will fit the next part), then graphemes, then code points.
    const size_t half = units_[pos] + limit_ / 2;
    for (int l = kParagraph; l >= kWord; --l)
      if (best[l] && units_[best[l]] >= half) return best[l];
    for (int l = kParagraph; l >= kCodePoint; --l)
      if (best[l]) return best[l];
    return std::max(e, pos + 1);  // unreachable with limit >= 2
  }

  std::u32string cps_;
  size_t limit_;
  std::vector<size_t> units_;  // units_[i] = UTF-16 units before cps_[i]
};

}  // namespace

std::vector<std::string> split_message(std::string_view text, size_t limit) {
  return Splitter(utf8::to_u32(text), std::max<size_t>(limit, 2)).run();
}

}  // namespace tgscribe::transcript
