#pragma once
// Minimal UTF-8 helpers for the writers, the message splitter and the Telegram client (which
// counts text in UTF-16 units). Hand-written because the need is tiny (decode, re-encode,
// count UTF-16 units) and no installed library offers exactly "replace invalid sequences,
// never throw" without pulling in ICU.
#include <cstddef>
#include <string>
#include <string_view>

namespace tgscribe::utf8 {

inline constexpr char32_t kReplacement = 0xFFFD;

// Decodes the code point starting at s[i] and advances i past it. An invalid, overlong,
// surrogate or truncated sequence yields U+FFFD and advances by one byte.
char32_t decode(std::string_view s, size_t& i);
void append(std::string& out, char32_t cp);
// `s` with every invalid sequence replaced by U+FFFD (valid input comes back unchanged).
std::string sanitize(std::string_view s);
// Code units the text takes in UTF-16 (what Telegram counts): 2 for code points >= U+10000.
size_t utf16_length(std::string_view s);
inline size_t utf16_units(char32_t cp) { return cp >= 0x10000 ? 2 : 1; }
size_t code_point_count(std::string_view s);
// The longest prefix of `text` that takes at most `max_units` UTF-16 units, never cutting a
// character in half (a caption or callback answer Telegram would refuse as too long).
std::string truncate_utf16(std::string_view text, size_t max_units);

}  // namespace tgscribe::utf8

namespace tgscribe::utf8 {

// True when a text may be cut between cps[i-1] and cps[i] without splitting a user-perceived
// character: an approximation of UAX #29 that keeps combining marks, ZWJ emoji sequences,
// variation selectors, skin-tone modifiers, tag sequences, flag pairs and CR LF together.
bool is_grapheme_boundary(std::u32string_view cps, size_t i);
std::u32string to_u32(std::string_view s);
std::string from_u32(std::u32string_view cps);
bool is_space(char32_t cp);

}  // namespace tgscribe::utf8
