#include "common/utf8.h"

#include <gtest/gtest.h>

namespace tgscribe::utf8 {
namespace {

TEST(Utf8, DecodesEveryLength) {
  std::string s = "a\u00e9\u4f60\U0001F600";
  size_t i = 0;
  EXPECT_EQ(decode(s, i), U'a');
  EXPECT_EQ(decode(s, i), U'\u00e9');
  EXPECT_EQ(decode(s, i), U'\u4f60');
  EXPECT_EQ(decode(s, i), U'\U0001F600');
  EXPECT_EQ(i, s.size());
  EXPECT_EQ(from_u32(to_u32(s)), s);
}

TEST(Utf8, InvalidSequencesBecomeReplacementOneByteAtATime) {
  // Overlong "/", a UTF-16 surrogate, a code point past U+10FFFF, a stray continuation
  // byte, and a truncated 3-byte sequence at the end.
  for (std::string bad :
       {std::string("\xC0\xAF"), std::string("\xED\xA0\x80"), std::string("\xF4\x90\x80\x80"),
        std::string("\x80"), std::string("\xE4\xBD")}) {
    std::string s = sanitize("x" + bad + "y");
    EXPECT_EQ(s.front(), 'x');
    EXPECT_EQ(s.back(), 'y');
    EXPECT_NE(s.find("\xEF\xBF\xBD"), std::string::npos);
    EXPECT_EQ(sanitize(s), s) << "sanitize is idempotent";
  }
  std::string good = "ok \xEF\xBF\xBD already replaced";
  EXPECT_EQ(sanitize(good), good);
}

TEST(Utf8, TruncateUtf16NeverSplitsACharacter) {
  EXPECT_EQ(truncate_utf16("abc", 2), "ab");
  EXPECT_EQ(truncate_utf16("é€", 2), "é€");  // 2 + 3 bytes, 1 unit each
  EXPECT_EQ(truncate_utf16("a👋b", 2), "a");  // the emoji needs 2 units
  EXPECT_EQ(truncate_utf16("a👋b", 3), "a👋");
  EXPECT_EQ(truncate_utf16("", 5), "");
}

TEST(Utf8, TruncateUtf16CountsABrokenByteAsOneUnit) {
  // Invalid bytes count as the U+FFFD they decode to (one unit each) and are kept as sent.
  EXPECT_EQ(truncate_utf16("a\x80"
                           "bc",
                           2),
            "a\x80");
  EXPECT_EQ(truncate_utf16("ab\xE4\xBD", 3), "ab\xE4");
}

TEST(Utf8, Utf16Length) {
  EXPECT_EQ(utf16_length(""), 0u);
  EXPECT_EQ(utf16_length("abc"), 3u);
  EXPECT_EQ(utf16_length("\u00e9\u4f60"), 2u);
  EXPECT_EQ(utf16_length("\U0001F600"), 2u);
  EXPECT_EQ(utf16_length("👩‍👩‍👧"), 8u);  // 3 emoji (2 each) + 2 ZWJ
  EXPECT_EQ(code_point_count("👩‍👩‍👧"), 5u);
}

TEST(Utf8, GraphemeBoundaries) {
  std::u32string family = to_u32("👩‍👩‍👧");
  for (size_t i = 1; i < family.size(); ++i) EXPECT_FALSE(is_grapheme_boundary(family, i));
  std::u32string flags = to_u32("🇮🇩🇯🇵");
  EXPECT_FALSE(is_grapheme_boundary(flags, 1));
  EXPECT_TRUE(is_grapheme_boundary(flags, 2));
  EXPECT_FALSE(is_grapheme_boundary(flags, 3));
  std::u32string accent = to_u32("e\u0301x");
  EXPECT_FALSE(is_grapheme_boundary(accent, 1));
  EXPECT_TRUE(is_grapheme_boundary(accent, 2));
  std::u32string heart = to_u32("❤️👍🏽");
  EXPECT_FALSE(is_grapheme_boundary(heart, 1));  // variation selector
  EXPECT_TRUE(is_grapheme_boundary(heart, 2));
  EXPECT_FALSE(is_grapheme_boundary(heart, 3));  // skin tone
  EXPECT_FALSE(is_grapheme_boundary(to_u32("\r\n"), 1));
}

}  // namespace
}  // namespace tgscribe::utf8
