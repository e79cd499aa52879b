#include "common/safe_name.h"

#include <cstdint>

namespace tgscribe {
namespace {

// Length of the valid UTF-8 sequence at text[i] and its code point; 0 when invalid (stray
// continuation byte, overlong form, surrogate, beyond U+10FFFF, or cut short).
size_t decode(std::string_view text, size_t i, char32_t& cp) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(text[i + k]); };
  unsigned char c = b(0);
  size_t len;
  char32_t min;
  if (c < 0x80) {
    cp = c;
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    len = 2, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

bool unwanted(char32_t cp) {
  if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) return true;         // controls
  if (cp == 0x200B || cp == 0x200E || cp == 0x200F || cp == 0xFEFF) return true;  // zero-width
  if (cp >= 0x202A && cp <= 0x202E) return true;  // bidi embeddings and overrides
  if (cp >= 0x2066 && cp <= 0x2069) return true;  // bidi isolates
  return false;
}

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

bool plain_extension(std::string_view ext) {
  if (ext.empty() || ext.size() > kSafeExtensionBytes) return false;
  for (char c : ext) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum) return false;
  }
  return true;
}

}  // namespace

std::string_view utf8_prefix(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t cut = max_bytes;
  // Back up over continuation bytes to the start of the character the cut would split.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut);
}

std::string safe_name_part(std::string_view name, size_t max_bytes) {
  size_t sep = name.find_last_of("/\\");
  if (sep != std::string_view::npos) name.remove_prefix(sep + 1);
  std::string clean;
  clean.reserve(std::min(name.size(), max_bytes * 2));
  for (size_t i = 0; i < name.size();) {
    char32_t cp;
    size_t len = decode(name, i, cp);
    if (len == 0) {
      ++i;  // an invalid byte is dropped
      continue;
    }
    if (!unwanted(cp)) clean.append(name.substr(i, len));
    i += len;
    // Enough kept to fill the budget even after trimming: stop reading a 10 KB name.
    if (clean.size() > max_bytes + 64) break;
  }
  std::string_view v = trim_spaces(clean);
  while (!v.empty() && v.front() == '.') v.remove_prefix(1);  // no "..", no hidden files
  v = trim_spaces(utf8_prefix(trim_spaces(v), max_bytes));
  return std::string(v);
}

std::string safe_file_name(std::string_view name, std::string_view fallback) {
  size_t sep = name.find_last_of("/\\");
  if (sep != std::string_view::npos) name.remove_prefix(sep + 1);
  std::string_view stem = name, ext;
  size_t dot = name.find_last_of('.');
  if (dot != std::string_view::npos && dot > 0 && plain_extension(name.substr(dot + 1))) {
    stem = name.substr(0, dot);
    ext = name.substr(dot + 1);
  }
  std::string out = safe_name_part(stem, kSafeStemBytes);
  if (out.empty()) out = safe_name_part(fallback, kSafeStemBytes);
  if (!ext.empty()) {
    out.push_back('.');
    out.append(ext);
  }
  return out;
}

}  // namespace tgscribe
