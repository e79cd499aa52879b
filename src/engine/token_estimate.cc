#include "engine/token_estimate.h"

#include <algorithm>
#include <string>

namespace tgscribe::engine {
namespace {

bool continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

struct Count {
  int64_t ascii = 0;
  int64_t other = 0;  // non-ASCII code points
  int64_t tokens() const { return (ascii + 2) / 3 + other; }
  Count& operator+=(const Count& c) {
    ascii += c.ascii;
    other += c.other;
    return *this;
  }
};

Count count(std::string_view s) {
  Count c;
  for (unsigned char ch : s) {
    if (ch < 0x80) {
      ++c.ascii;
    } else if (!continuation(ch)) {
      ++c.other;
    }
  }
  return c;
}

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

struct Span {
  size_t begin, end;
};

// Where a unit of `level` may end in `s` (exclusive end positions inside (b, e)).
// 0: after a newline; 1: after a sentence end followed by a space, or after CJK full stops;
// 2: after a run of spaces; 3: after any code point.
bool cut_after(std::string_view s, size_t i, size_t e, int level) {
  // i is the index of the last byte of the unit; the cut is at i + 1 < e.
  const char c = s[i];
  const char next = i + 1 < e ? s[i + 1] : '\0';
  switch (level) {
    case 0:
      return c == '\n' && next != '\n';
    case 1: {
      if ((c == '.' || c == '!' || c == '?') && is_space(next)) return true;
      // "…", "。", "！", "？" (UTF-8 ends in 0xA6, 0x82, 0x81, 0x9F after their lead bytes).
      if (i >= 2) {
        std::string_view tail = s.substr(i - 2, 3);
        if (tail == "\xE2\x80\xA6" || tail == "\xE3\x80\x82" || tail == "\xEF\xBC\x81" ||
            tail == "\xEF\xBC\x9F") {
          return true;
        }
      }
      return false;
    }
    case 2:
      return is_space(c) && !is_space(next);
    default:
      return !continuation(static_cast<unsigned char>(next));
  }
}

void units(std::string_view s, Span span, int level, int64_t max, std::vector<Span>& out) {
  if (count(s.substr(span.begin, span.end - span.begin)).tokens() <= max || level > 3) {
    out.push_back(span);
    return;
  }
  if (level == 3) {
    // One overlong word: cut at code points, as many as fit.
    size_t start = span.begin;
    Count c;
    for (size_t i = span.begin; i < span.end; ++i) {
      Count one = count(s.substr(i, 1));
      Count next = c;
      next += one;
      if (next.tokens() > max && i > start && !continuation(static_cast<unsigned char>(s[i]))) {
        out.push_back({start, i});
        start = i;
        c = one;
      } else {
        c = next;
      }
    }
    if (start < span.end) out.push_back({start, span.end});
    return;
  }
  size_t start = span.begin;
  for (size_t i = span.begin; i + 1 < span.end; ++i) {
    if (cut_after(s, i, span.end, level)) {
      units(s, {start, i + 1}, level + 1, max, out);
      start = i + 1;
    }
  }
  units(s, {start, span.end}, level + 1, max, out);
}

std::string trimmed(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return std::string(s.substr(b, e - b));
}

}  // namespace

int64_t estimate_tokens(std::string_view text) { return count(text).tokens(); }

int64_t estimate_prompt_tokens(const std::vector<ChatTurn>& messages) {
  int64_t n = kTokensPerPrompt;
  for (const auto& m : messages) n += kTokensPerMessage + estimate_tokens(m.content);
  return n;
}

std::vector<std::string> split_to_fit(std::string_view text, int64_t max_tokens) {
  max_tokens = std::max<int64_t>(1, max_tokens);
  std::vector<std::string> out;
  const int64_t total = estimate_tokens(text);
  if (total <= max_tokens) {
    if (auto t = trimmed(text); !t.empty()) out.push_back(std::move(t));
    return out;
  }
  // Balanced: aim at total / n per piece, n the fewest pieces that can hold it.
  const int64_t n = (total + max_tokens - 1) / max_tokens;
  const int64_t target = std::min(max_tokens, (total + n - 1) / n + 1);
  std::vector<Span> us;
  units(text, {0, text.size()}, 0, max_tokens, us);
  size_t start = 0;
  Count piece;
  auto close = [&](size_t end) {
    if (auto t = trimmed(text.substr(start, end - start)); !t.empty()) out.push_back(std::move(t));
    start = end;
    piece = {};
  };
  for (const Span& u : us) {
    Count c = count(text.substr(u.begin, u.end - u.begin));
    Count joined = piece;
    joined += c;
    if (joined.tokens() > target && u.begin > start) close(u.begin);
    piece += c;
  }
  close(text.size());
  return out;
}

}  // namespace tgscribe::engine
