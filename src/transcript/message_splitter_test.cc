#include "transcript/message_splitter.h"

#include <gtest/gtest.h>

#include <random>

#include "common/utf8.h"

namespace tgscribe::transcript {
namespace {

// UTF-16 length computed independently of utf8::utf16_length: 4-byte sequences are the
// ones that need a surrogate pair.
size_t utf16_len(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;  // a lead byte starts a code point
    if ((c & 0xF8) == 0xF0) ++n;  // 4-byte sequence: surrogate pair
  }
  return n;
}

bool is_ws(const std::string& s, size_t i) {
  return s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r';
}

// The invariant: the parts appear in the input in order, separated only by whitespace.
void check_parts(const std::string& input, const std::vector<std::string>& parts, size_t limit) {
  size_t at = 0;
  for (const auto& p : parts) {
    ASSERT_FALSE(p.empty());
    ASSERT_LE(utf16_len(p), limit);
    ASSERT_FALSE(is_ws(p, 0));
    ASSERT_FALSE(is_ws(p, p.size() - 1));
    while (at < input.size() && is_ws(input, at)) ++at;
    ASSERT_EQ(input.compare(at, p.size(), p), 0) << "part does not continue the input";
    at += p.size();
  }
  while (at < input.size()) ASSERT_TRUE(is_ws(input, at++)) << "text lost at the end";
}

const std::vector<std::string> kAtoms = {
    "Halo",
    "apa",
    "kabar",
    "saya",
    "baik.",
    "Terima",
    "kasih!",
    "the",
    "quick",
    "brown",
    "fox?",
    "你好世界",
    "日本語のテキストです。",
    "한국어",
    "👩‍👩‍👧‍👦",
    "👍🏽",
    "🇮🇩🇯🇵",
    "❤️",
    "e\u0301",
    "ñ",
    "a\u0308\u0301",
    "😀",
    "𝄞",
    "\"quoted.\"",
    "(aside)",
    "—",
    "…",
};
const std::vector<std::string> kSeps = {" ", " ", " ", " ", "\n", "\n\n", "  ", "\t", ""};

std::string random_text(std::mt19937& rng, size_t approx_units) {
  std::uniform_int_distribution<size_t> a(0, kAtoms.size() - 1), s(0, kSeps.size() - 1);
  std::string out;
  size_t units = 0;
  while (units < approx_units) {
    std::string piece = kAtoms[a(rng)] + kSeps[s(rng)];
    units += utf16_len(piece);
    out += piece;
  }
  return out;
}

TEST(SplitMessage, ShortTextIsOnePart) {
  EXPECT_EQ(split_message("hello world"), std::vector<std::string>{"hello world"});
  EXPECT_EQ(split_message("  padded \n"), std::vector<std::string>{"padded"});
  EXPECT_TRUE(split_message("").empty());
  EXPECT_TRUE(split_message(" \n\t ").empty());
}

TEST(SplitMessage, RandomUnicodeKeepsInvariants) {
  std::mt19937 rng(2024);
  for (int iter = 0; iter < 300; ++iter) {
    size_t limit = std::vector<size_t>{7, 16, 50, 200, 4096}[iter % 5];
    std::string text = random_text(rng, limit * (1 + iter % 4) + iter % 13);
    auto parts = split_message(text, limit);
    check_parts(text, parts, limit);
    // Every atom fits these limits, so no cut should fall inside a character.
    for (const auto& p : limit >= 16 ? parts : std::vector<std::string>{}) {
      std::u32string cps = utf8::to_u32(p);
      for (char32_t bad : {U'\u0301', U'\u0308', U'\u200D', U'\uFE0F', U'\U0001F3FD'})
        EXPECT_NE(cps.front(), bad) << "part starts inside a grapheme: " << p;
      EXPECT_NE(cps.back(), U'\u200D');
      size_t flags = 0;
      while (flags < cps.size() && cps[flags] >= 0x1F1E6 && cps[flags] <= 0x1F1FF) ++flags;
      EXPECT_EQ(flags % 2, 0u) << p;
    }
    if (HasFailure()) {
      ADD_FAILURE() << "iteration " << iter << " limit " << limit;
      return;
    }
  }
}

TEST(SplitMessage, ExactlyAtTheLimit) {
  for (size_t n : {4095u, 4096u, 4097u}) {
    std::string text(n, 'a');
    auto parts = split_message(text);
    check_parts(text, parts, 4096);
    EXPECT_EQ(parts.size(), n <= 4096 ? 1u : 2u) << n;
  }
  // A surrogate pair straddling unit 4096: 4095 ASCII + one emoji (2 units) = 4097 units.
  std::string text = std::string(4095, 'a') + "😀";
  auto parts = split_message(text);
  check_parts(text, parts, 4096);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[1], "😀");
  // 4094 + emoji = exactly 4096 units: one part.
  text = std::string(4094, 'a') + "😀";
  EXPECT_EQ(split_message(text).size(), 1u);
}

TEST(SplitMessage, SurrogatePairsAreNeverSplit) {
  std::string text;
  for (int i = 0; i < 3000; ++i) text += "😀";  // 6000 units, no spaces
  auto parts = split_message(text);
  check_parts(text, parts, 4096);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(utf16_len(parts[0]), 4096u);
}

TEST(SplitMessage, PrefersParagraphThenSentenceThenWord) {
  std::string para1(3000, 'x');
  std::string text = para1 + "\n\n" + std::string(500, 'y') + ". " + std::string(1000, 'z');
  auto parts = split_message(text);
  check_parts(text, parts, 4096);
  EXPECT_EQ(parts[0], para1);

  text = std::string(2500, 'x') + ". " + std::string(1000, 'y') + " " + std::string(1000, 'z');
  parts = split_message(text);
  check_parts(text, parts, 4096);
  EXPECT_EQ(parts[0], std::string(2500, 'x') + ".");

  text = std::string(2500, 'x') + " " + std::string(1000, 'y') + " " + std::string(1000, 'z');
  parts = split_message(text);
  check_parts(text, parts, 4096);
  EXPECT_EQ(parts[0], std::string(2500, 'x') + " " + std::string(1000, 'y'));
}

TEST(SplitMessage, EarlyParagraphBreakDoesNotMakeATinyPart) {
  // A paragraph break after 10 characters would waste a message; a sentence end near the
  // limit is better.
  std::string text = "Short one.\n\n" + std::string(3500, 'a') + ". " + std::string(2000, 'b');
  auto parts = split_message(text);
  check_parts(text, parts, 4096);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[1], std::string(2000, 'b'));
}

TEST(SplitMessage, LongWordIsHardSplitAtGraphemes) {
  // 2000 families of 11 units each, no spaces: cuts must fall between families.
  std::string family = "👩‍👩‍👧‍👦";
  ASSERT_EQ(utf16_len(family), 11u);
  std::string text;
  for (int i = 0; i < 1000; ++i) text += family;
  auto parts = split_message(text, 100);
  check_parts(text, parts, 100);
  for (const auto& p : parts) {
    EXPECT_EQ(p.size() % family.size(), 0u);
    EXPECT_EQ(p.substr(0, family.size()), family);
  }
  // Combining marks stay with their base letter.
  text.clear();
  for (int i = 0; i < 500; ++i) text += "e\u0301";
  parts = split_message(text, 15);
  check_parts(text, parts, 15);
  for (const auto& p : parts) EXPECT_EQ(p[0], 'e');
}

TEST(SplitMessage, ClusterLongerThanLimitFallsBackToCodePoints) {
  std::string text = "a";
  for (int i = 0; i < 50; ++i) text += "\u0301";  // one "character" of 51 code points
  auto parts = split_message(text, 10);
  check_parts(text, parts, 10);
  EXPECT_GE(parts.size(), 6u);
}

TEST(SplitMessage, CjkSplitsAfterFullStops) {
  std::string sentence = "日本語のテキストです。";  // 11 units
  std::string text;
  for (int i = 0; i < 20; ++i) text += sentence;
  auto parts = split_message(text, 40);
  check_parts(text, parts, 40);
  for (const auto& p : parts) EXPECT_EQ(p.size() % sentence.size(), 0u) << p;
}

TEST(SplitMessage, InvalidUtf8IsReplaced) {
  auto parts = split_message(std::string("ab\xff\xfe cd", 7));
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0], "ab\uFFFD\uFFFD cd");
}

}  // namespace
}  // namespace tgscribe::transcript
