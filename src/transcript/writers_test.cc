#include "transcript/writers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <sstream>

#include "common/utf8.h"
#include "transcript/timing.h"

namespace tgscribe::transcript {
namespace {

// Pieces of text that have broken subtitle writers before: markup, arrows, blank lines,
// emoji sequences, combining marks, CJK, right-to-left, invalid bytes.
const std::vector<std::string> kWords = {
    "hello",
    "world.",
    "Terima",
    "kasih",
    "banyak!",
    "apa",
    "kabar?",
    "你好",
    "世界。",
    "日本語のテキスト",
    "👩‍👩‍👧",
    "🇮🇩",
    "e\u0301te\u0301",
    "<b>bold</b>",
    "a&b",
    "-->",
    "x-->y",
    "\n\n",
    "\t",
    "שלום",
    "مرحبا",
    "\xff\xfe",
    "naïve",
    "😀😀",
    "\r\n",
    "1.5",
    "\"quoted\"",
};

std::string random_text(std::mt19937& rng, int max_words) {
  std::uniform_int_distribution<int> n(0, max_words), pick(0, kWords.size() - 1);
  std::string s;
  int count = n(rng);
  for (int i = 0; i < count; ++i) {
    if (i) s += ' ';
    s += kWords[pick(rng)];
  }
  return s;
}

Transcript random_transcript(std::mt19937& rng, bool messy_times) {
  Transcript t;
  t.language = "en";
  std::uniform_real_distribution<double> gap(0, 3), len(0, 15), jitter(-5, 5);
  std::uniform_int_distribution<int> segs(0, 12), coin(0, 9);
  double at = 0;
  int count = segs(rng);
  for (int i = 0; i < count; ++i) {
    Segment s;
    s.start = at + gap(rng);
    s.end = s.start + len(rng);
    at = s.end;
    if (messy_times) {
      if (coin(rng) == 0) s.start += jitter(rng);
      if (coin(rng) == 0) s.end = s.start - 1;
      if (coin(rng) == 0) s.start = -3;
      if (coin(rng) == 0) s.end = std::numeric_limits<double>::quiet_NaN();
    }
    s.text = random_text(rng, 40);
    t.segments.push_back(s);
  }
  t.duration = at;
  return t;
}

std::string strip_space(const std::string& s) {
  std::string out;
  auto cps = utf8::to_u32(s);
  for (char32_t c : cps)
    if (!utf8::is_space(c)) utf8::append(out, c);
  return out;
}

// The text of every segment in output order (by start time; normalized() is checked on its
// own below to keep every segment's text).
std::string all_text(const Transcript& t) {
  std::string out;
  for (const auto& s : normalized(t).segments) out += s.text;
  return strip_space(out);
}

struct ParsedCue {
  int64_t start, end;
  std::string text;
};

int64_t parse_ts(const std::string& h, const std::string& m, const std::string& s,
                 const std::string& f) {
  return ((std::stoll(h) * 60 + std::stoll(m)) * 60 + std::stoll(s)) * 1000 + std::stoll(f);
}

// A strict SubRip reader: numbered blocks, one timing line, 1-2 text lines, blank line.
std::vector<ParsedCue> parse_srt(const std::string& srt) {
  std::vector<ParsedCue> cues;
  std::istringstream in(srt);
  std::string line;
  const std::regex timing(
      R"((\d{2,}):(\d{2}):(\d{2}),(\d{3}) --> (\d{2,}):(\d{2}):(\d{2}),(\d{3}))");
  int expected_index = 1;
  while (std::getline(in, line)) {
    EXPECT_EQ(line, std::to_string(expected_index++)) << srt;
    std::string tl;
    EXPECT_TRUE(std::getline(in, tl));
    std::smatch m;
    EXPECT_TRUE(std::regex_match(tl, m, timing)) << tl;
    if (m.empty()) return cues;
    ParsedCue c{parse_ts(m[1], m[2], m[3], m[4]), parse_ts(m[5], m[6], m[7], m[8]), ""};
    int lines = 0;
    while (std::getline(in, line) && !line.empty()) {
      EXPECT_EQ(line.find("-->"), std::string::npos);
      c.text += (lines++ ? "\n" : "") + line;
    }
    EXPECT_GE(lines, 1);
    EXPECT_LE(lines, 2);
    cues.push_back(c);
  }
  return cues;
}

std::string unescape_vtt(std::string s) {
  for (auto [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}}) {
    for (size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size())
      s.replace(p, from.size(), to);
  }
  return s;
}

std::vector<ParsedCue> parse_vtt(const std::string& vtt) {
  std::vector<ParsedCue> cues;
  std::istringstream in(vtt);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "WEBVTT");
  const std::regex timing(
      R"((\d{2,}):(\d{2}):(\d{2})\.(\d{3}) --> (\d{2,}):(\d{2}):(\d{2})\.(\d{3}))");
  while (std::getline(in, line)) {
    EXPECT_EQ(line, "") << "cues are separated by a blank line";
    std::string tl;
    if (!std::getline(in, tl)) break;
    std::smatch m;
    EXPECT_TRUE(std::regex_match(tl, m, timing)) << tl;
    if (m.empty()) return cues;
    ParsedCue c{parse_ts(m[1], m[2], m[3], m[4]), parse_ts(m[5], m[6], m[7], m[8]), ""};
    int lines = 0;
    while (in.peek() != '\n' && in.peek() != EOF && std::getline(in, line)) {
      // Raw '<' or '&' would be read as markup; "-->" would end the cue.
      EXPECT_EQ(line.find('<'), std::string::npos) << line;
      EXPECT_EQ(line.find("-->"), std::string::npos) << line;
      c.text += (lines++ ? "\n" : "") + unescape_vtt(line);
    }
    EXPECT_GE(lines, 1);
    EXPECT_LE(lines, 2);
    cues.push_back(c);
  }
  return cues;
}

void check_cues(const std::vector<ParsedCue>& cues) {
  int64_t prev_end = 0;
  for (const auto& c : cues) {
    EXPECT_GE(c.start, prev_end) << "overlap or out of order";
    EXPECT_GT(c.end, c.start);
    EXPECT_FALSE(c.text.empty());
    prev_end = c.end;
  }
}

std::string joined(const std::vector<ParsedCue>& cues) {
  std::string s;
  for (const auto& c : cues) s += c.text;
  return strip_space(s);
}

std::string srt_safe(std::string s) {
  for (size_t p; (p = s.find("-->")) != std::string::npos;) s.replace(p, 3, "->");
  return s;
}

TEST(Writers, RandomTranscriptsGiveValidSrtAndVtt) {
  std::mt19937 rng(12345);
  for (int iter = 0; iter < 300; ++iter) {
    Transcript t = random_transcript(rng, iter % 2 == 1);
    std::string srt = to_srt(t);
    std::string vtt = to_vtt(t);
    ASSERT_EQ(utf8::sanitize(srt), srt) << "srt is not valid UTF-8";
    ASSERT_EQ(utf8::sanitize(vtt), vtt) << "vtt is not valid UTF-8";
    auto s = parse_srt(srt);
    auto v = parse_vtt(vtt);
    check_cues(s);
    check_cues(v);
    // Nothing lost, nothing duplicated, order kept.
    EXPECT_TRUE(joined(s) == srt_safe(all_text(t)));
    EXPECT_TRUE(joined(v) == all_text(t));
    ASSERT_EQ(s.size(), v.size());
    for (size_t i = 0; i < s.size(); ++i) {
      EXPECT_EQ(s[i].start, v[i].start);
      EXPECT_EQ(s[i].end, v[i].end);
    }
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "iteration " << iter;
      return;
    }
  }
}

TEST(Writers, LongSegmentsAreSplitIntoReadableCues) {
  Transcript t;
  std::string text;
  for (int i = 0; i < 60; ++i) text += "word" + std::to_string(i) + " ";
  t.segments.push_back({10.0, 70.0, text});
  auto cues = parse_srt(to_srt(t));
  check_cues(cues);
  ASSERT_GE(cues.size(), 6u);
  EXPECT_EQ(cues.front().start, 10000);
  EXPECT_EQ(cues.back().end, 70000);
  for (const auto& c : cues) {
    EXPECT_LE(utf8::code_point_count(c.text), 84u) << c.text;
    EXPECT_LE(c.end - c.start, 7000) << c.text;
    for (auto line : {c.text.substr(0, c.text.find('\n'))})
      EXPECT_LE(utf8::code_point_count(line), 42u);
  }
  EXPECT_EQ(joined(cues), strip_space(text));
}

TEST(Writers, WordTimestampsDecideCutPoints) {
  Segment s{0, 20, ""};
  // Ten words in the first second, then a long pause, then ten words at 15 s.
  for (int i = 0; i < 20; ++i) {
    double at = i < 10 ? i * 0.1 : 15 + (i - 10) * 0.1;
    s.words.push_back({at, at + 0.1, "w" + std::to_string(i)});
    s.text += (i ? " " : "") + s.words.back().text;
  }
  Transcript t;
  t.segments.push_back(s);
  auto cues = parse_vtt(to_vtt(t));
  check_cues(cues);
  ASSERT_GE(cues.size(), 2u);
  // The cue holding w10 starts at w10's own time, not at a proportional guess.
  bool found = false;
  for (const auto& c : cues) {
    if (c.text.rfind("w10", 0) == 0) {
      EXPECT_EQ(c.start, 15000);
      found = true;
    }
  }
  EXPECT_TRUE(found) << to_vtt(t);
}

TEST(Writers, HugeUnspacedTextIsSplitAtGraphemeBoundaries) {
  std::string family = "👩‍👩‍👧";  // one grapheme, 5 code points
  std::string text;
  for (int i = 0; i < 100; ++i) text += family;
  Transcript t;
  t.segments.push_back({0, 30, text});
  auto cues = parse_srt(to_srt(t));
  check_cues(cues);
  ASSERT_GT(cues.size(), 1u);
  for (const auto& c : cues) {
    std::string flat = strip_space(c.text);
    // Every cue holds whole families.
    EXPECT_EQ(flat.size() % family.size(), 0u);
    EXPECT_EQ(flat.substr(0, family.size()), family);
  }
}

// Found by fuzz/writers_fuzzer: removing one "-->" left "--" before the '>' of a longer arrow,
// so "---->" came out as "--->", which SubRip readers take for a timing line.
TEST(Writers, SrtTextNeverContainsAnArrowWhateverTheDashes) {
  for (std::string text : {"the---->-------:e, this is", "a--->b", "--->", "x-- -->y", "<!---->"}) {
    Transcript t;
    t.segments.push_back({0, 2, text});
    std::string srt = to_srt(t);
    auto cues = parse_srt(srt);
    ASSERT_EQ(cues.size(), 1u) << srt;
    EXPECT_EQ(cues[0].text.find("-->"), std::string::npos) << srt;
    EXPECT_EQ(cues[0].text, srt_safe(text)) << srt;
  }
}

TEST(Writers, TimestampFormat) {
  EXPECT_EQ(format_timestamp(0, ','), "00:00:00,000");
  EXPECT_EQ(format_timestamp(3'723'004, ','), "01:02:03,004");
  EXPECT_EQ(format_timestamp(3'723'004, '.'), "01:02:03.004");
  EXPECT_EQ(format_timestamp(360'000'000, '.'), "100:00:00.000");
  EXPECT_EQ(format_timestamp(-5, ','), "00:00:00,000");
}

TEST(Writers, EmptyTranscript) {
  Transcript t;
  EXPECT_EQ(to_srt(t), "");
  EXPECT_EQ(to_vtt(t), "WEBVTT\n");
  EXPECT_EQ(to_txt(t), "");
  auto j = nlohmann::json::parse(render(Format::kJson, t, "x.ogg"));
  EXPECT_TRUE(j["segments"].empty());
  EXPECT_EQ(j["text"], "");
}

TEST(Writers, TxtHasParagraphsAndNoTimestamps) {
  Transcript t;
  t.segments = {{0, 2, "First sentence."},
                {2.1, 4, "Same paragraph."},
                {9, 11, "After a long pause."},
                {11, 12, "  spaced \n out  "}};
  std::string txt = to_txt(t);
  EXPECT_EQ(txt,
            "First sentence. Same paragraph.\n\n"
            "After a long pause. spaced out\n");
  EXPECT_EQ(txt.find("-->"), std::string::npos);
}

TEST(Writers, TxtKeepsEveryWordOfRandomInput) {
  std::mt19937 rng(7);
  for (int i = 0; i < 100; ++i) {
    Transcript t = random_transcript(rng, true);
    std::string txt = to_txt(t);
    EXPECT_EQ(utf8::sanitize(txt), txt);
    EXPECT_TRUE(strip_space(txt) == all_text(t));
    EXPECT_EQ(txt.find("\n\n\n"), std::string::npos);
  }
}

TEST(Writers, JsonOutputHasNormalisedTimes) {
  std::mt19937 rng(99);
  for (int i = 0; i < 100; ++i) {
    Transcript t = random_transcript(rng, true);
    auto j = nlohmann::json::parse(render(Format::kJson, t, "f.ogg"));
    EXPECT_EQ(j["file"], "f.ogg");
    double prev = 0;
    for (const auto& s : j["segments"]) {
      EXPECT_GE(s["start"].get<double>(), prev);
      EXPECT_GT(s["end"].get<double>(), s["start"].get<double>());
      prev = s["end"];
    }
    EXPECT_GE(j["duration"].get<double>(), prev);
  }
}

TEST(Writers, RenderAndParseFormat) {
  Transcript t;
  t.segments = {{0, 1, "a <b> & c"}};
  EXPECT_EQ(parse_format(" SRT "), Format::kSrt);
  EXPECT_EQ(parse_format("json"), Format::kJson);
  EXPECT_FALSE(parse_format("doc").has_value());
  EXPECT_EQ(render(Format::kTxt, t), to_txt(t));
  EXPECT_EQ(render(Format::kSrt, t), to_srt(t));
  EXPECT_EQ(render(Format::kVtt, t), to_vtt(t));
  EXPECT_NE(to_vtt(t).find("a &lt;b&gt; &amp; c"), std::string::npos);
  for (auto f : {Format::kTxt, Format::kSrt, Format::kVtt, Format::kJson})
    EXPECT_EQ(parse_format(format_name(f)), f);
}

TEST(Timing, NormalizedFixesOverlapsAndNegatives) {
  Transcript t;
  t.segments = {{5, 8, "b"}, {-2, 1, "a"}, {7, 6, "c"}, {9, 9, " "}, {10, 12, "d"}};
  t.segments[0].words = {{4, 5.5, "b"}};
  Transcript n = normalized(t);
  ASSERT_EQ(n.segments.size(), 4u);  // the blank one is gone
  EXPECT_EQ(n.segments[0].text, "a");
  EXPECT_EQ(n.segments[0].start, 0);
  EXPECT_EQ(n.segments[1].text, "b");
  EXPECT_EQ(n.segments[1].end, 7);             // pulled back to where "c" starts
  EXPECT_EQ(n.segments[1].words[0].start, 5);  // clamped into its segment
  EXPECT_EQ(n.segments[2].text, "c");
  EXPECT_GT(n.segments[2].end, n.segments[2].start);
  EXPECT_LE(n.segments[2].end, 10);
}

TEST(Timing, NormalizedKeepsEveryNonBlankText) {
  std::mt19937 rng(3);
  for (int i = 0; i < 200; ++i) {
    Transcript t = random_transcript(rng, true);
    std::vector<std::string> in, out;
    for (const auto& s : t.segments)
      if (!clean_text(s.text).empty()) in.push_back(clean_text(s.text));
    for (const auto& s : normalized(t).segments) out.push_back(s.text);
    std::sort(in.begin(), in.end());
    std::sort(out.begin(), out.end());
    EXPECT_TRUE(in == out) << "iteration " << i;
  }
}

TEST(Timing, CleanText) {
  EXPECT_EQ(clean_text("  a\n\nb\t c \r\n"), "a b c");
  EXPECT_EQ(clean_text(std::string("x\xff", 2)), "x\uFFFD");
  EXPECT_EQ(clean_text("\x01\x7f"), "");
  EXPECT_EQ(clean_text("👩‍👩‍👧 e\u0301"), "👩‍👩‍👧 e\u0301");
}

}  // namespace
}  // namespace tgscribe::transcript
