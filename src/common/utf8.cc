#include "common/utf8.h"

namespace tgscribe::utf8 {

char32_t decode(std::string_view s, size_t& i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  size_t len;
  char32_t cp;
  char32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    ++i;
    return kReplacement;
  }
  if (i + len > s.size()) {
    ++i;
    return kReplacement;
  }
  for (size_t k = 1; k < len; ++k) {
    unsigned char b = byte(i + k);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return kReplacement;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return kReplacement;
  }
  i += len;
  return cp;
}

void append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string sanitize(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    char32_t cp = decode(s, i);
    if (cp == kReplacement && !(i - start == 3 && s.substr(start, 3) == "\xEF\xBF\xBD")) {
      append(out, kReplacement);
    } else {
      out.append(s.substr(start, i - start));
    }
  }
  return out;
}

size_t utf16_length(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size();) n += utf16_units(decode(s, i));
  return n;
}

std::string truncate_utf16(std::string_view text, size_t max_units) {
  size_t units = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t next = i;
    size_t u = utf16_units(decode(text, next));
    if (units + u > max_units) break;
    units += u;
    i = next;
  }
  return std::string(text.substr(0, i));
}

size_t code_point_count(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++n) decode(s, i);
  return n;
}

}  // namespace tgscribe::utf8

namespace tgscribe::utf8 {
namespace {

bool in(char32_t cp, char32_t lo, char32_t hi) { return cp >= lo && cp <= hi; }

// Characters that attach to the one before them (Extend / SpacingMark in UAX #29 terms) for
// the scripts users are likely to send; not exhaustive, but a miss only means a less pretty
// cut, never a lost or broken code point.
bool is_extend(char32_t cp) {
  return in(cp, 0x0300, 0x036F) || in(cp, 0x0483, 0x0489) || in(cp, 0x0591, 0x05BD) ||
         in(cp, 0x0610, 0x061A) || in(cp, 0x064B, 0x065F) || cp == 0x0670 ||
         in(cp, 0x06D6, 0x06DC) || in(cp, 0x06DF, 0x06E4) || in(cp, 0x0900, 0x0903) ||
         in(cp, 0x093A, 0x094F) || in(cp, 0x0951, 0x0957) || in(cp, 0x0962, 0x0963) ||
         in(cp, 0x0981, 0x0983) || in(cp, 0x09BC, 0x09D7) || in(cp, 0x0A01, 0x0A03) ||
         in(cp, 0x0A3C, 0x0A51) || in(cp, 0x0B01, 0x0B03) || in(cp, 0x0BBE, 0x0BCD) ||
         in(cp, 0x0C00, 0x0C04) || in(cp, 0x0C3E, 0x0C56) || in(cp, 0x0D00, 0x0D03) ||
         in(cp, 0x0D3E, 0x0D4D) || cp == 0x0E31 || in(cp, 0x0E34, 0x0E3A) ||
         in(cp, 0x0E47, 0x0E4E) || cp == 0x0EB1 || in(cp, 0x0EB4, 0x0EBC) ||
         in(cp, 0x0EC8, 0x0ECD) || in(cp, 0x1160, 0x11FF) ||  // Hangul medial/final jamo
         in(cp, 0x1AB0, 0x1AFF) || in(cp, 0x1DC0, 0x1DFF) || in(cp, 0x200C, 0x200D) ||
         in(cp, 0x20D0, 0x20FF) || in(cp, 0x302A, 0x302F) || in(cp, 0x3099, 0x309A) ||
         in(cp, 0xFE00, 0xFE0F) || in(cp, 0xFE20, 0xFE2F) || in(cp, 0x1F3FB, 0x1F3FF) ||
         in(cp, 0xE0020, 0xE007F) || in(cp, 0xE0100, 0xE01EF);
}

bool is_regional_indicator(char32_t cp) { return in(cp, 0x1F1E6, 0x1F1FF); }

}  // namespace

bool is_grapheme_boundary(std::u32string_view cps, size_t i) {
  if (i == 0 || i >= cps.size()) return true;
  char32_t prev = cps[i - 1];
  char32_t next = cps[i];
  if (prev == '\r' && next == '\n') return false;
  if (is_extend(next)) return false;
  if (prev == 0x200D) return false;  // ZWJ glues the next pictograph
  if (is_regional_indicator(prev) && is_regional_indicator(next)) {
    // Flags are pairs: break only after an even number of indicators.
    size_t run = 0;
    for (size_t k = i; k > 0 && is_regional_indicator(cps[k - 1]); --k) ++run;
    return run % 2 == 0;
  }
  return true;
}

std::u32string to_u32(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) out.push_back(decode(s, i));
  return out;
}

std::string from_u32(std::u32string_view cps) {
  std::string out;
  out.reserve(cps.size());
  for (char32_t cp : cps) append(out, cp);
  return out;
}

bool is_space(char32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f' ||
         cp == 0x85 || cp == 0x2028 || cp == 0x2029 || cp == 0x3000;
}

}  // namespace tgscribe::utf8
