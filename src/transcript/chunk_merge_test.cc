#include "transcript/chunk_merge.h"

#include <gtest/gtest.h>

namespace tgscribe::transcript {
namespace {

// A segment whose words are spread evenly over [start, end).
Segment timed(double start, double end, const std::vector<std::string>& words) {
  Segment s{start, end, ""};
  double step = (end - start) / words.size();
  for (size_t i = 0; i < words.size(); ++i) {
    s.words.push_back({start + i * step, start + (i + 1) * step, words[i]});
    if (i) s.text += ' ';
    s.text += words[i];
  }
  return s;
}

std::string text_of(const Transcript& t) { return t.text(); }

TEST(ChunkMerge, ShiftsTimesByOffset) {
  Chunk a{{}, 0, 10}, b{{}, 10, 10};
  a.transcript.segments = {timed(1, 3, {"one", "two"})};
  b.transcript.segments = {timed(2, 4, {"three", "four"})};
  Transcript m = merge_chunks({a, b});
  ASSERT_EQ(m.segments.size(), 2u);
  EXPECT_DOUBLE_EQ(m.segments[1].start, 12);
  EXPECT_DOUBLE_EQ(m.segments[1].end, 14);
  EXPECT_DOUBLE_EQ(m.segments[1].words[1].start, 13);
  EXPECT_DOUBLE_EQ(m.duration, 20);
  EXPECT_EQ(text_of(m), "one two three four");
}

TEST(ChunkMerge, OverlapIsTakenOnceFromTheInnerSide) {
  // Media: words w0..w19, one per second. Chunk A covers 0-12 s, chunk B 8-20 s: seconds
  // 8-12 are in both. Each chunk hears the words at its edge badly (marked "?").
  std::vector<std::string> all;
  for (int i = 0; i < 20; ++i) all.push_back(std::string("w").append(std::to_string(i)));
  Chunk a{{}, 0, 12}, b{{}, 8, 12};
  std::vector<std::string> a_words(all.begin(), all.begin() + 12);
  a_words[11] = "edge?";  // A's last word, cut off by the chunk end
  a.transcript.segments = {timed(0, 12, a_words)};
  std::vector<std::string> b_words(all.begin() + 8, all.end());
  b_words[0] = "edge?";  // B's first word, cut off by the chunk start
  b.transcript.segments = {timed(0, 12, b_words)};
  Transcript m = merge_chunks({a, b});
  std::string expected;
  for (const auto& w : all) {
    if (!expected.empty()) expected += ' ';
    expected += w;
  }
  EXPECT_EQ(text_of(m), expected);
  double prev = -1;
  for (const auto& s : m.segments)
    for (const auto& w : s.words) {
      EXPECT_GT(w.start, prev);
      prev = w.start;
    }
}

TEST(ChunkMerge, SegmentsWithoutWordsGoByTheirCentre) {
  Chunk a{{}, 0, 30}, b{{}, 25, 30};
  a.transcript.segments = {{0, 10, "first"}, {10, 20, "second"}, {24, 29, "seam from a"}};
  // b's clock starts at 25 s: its first segment (media 24.5-29) is the same speech.
  b.transcript.segments = {{-0.5, 4, "seam from b"}, {5, 15, "third"}};
  Transcript m = merge_chunks({a, b});
  // The overlap 25-30 is cut at 27.5: a's seam segment (centre 26.5) wins, b's (centre
  // 26.75) is dropped.
  EXPECT_EQ(text_of(m), "first second seam from a third");
}

TEST(ChunkMerge, RepeatedPhraseAtTheSeamIsKeptOnce) {
  // Without word times, both chunks kept a segment with the same words at the seam.
  Chunk a{{}, 0, 20}, b{{}, 15, 20};
  a.transcript.segments = {{0, 17.4, "so we went to the market and bought fresh bread"}};
  b.transcript.segments = {{2.6, 6, "fresh bread and then we went home"}};
  Transcript m = merge_chunks({a, b});
  EXPECT_EQ(text_of(m), "so we went to the market and bought fresh bread and then we went home");
}

TEST(ChunkMerge, NoOverlapKeepsEverything) {
  Chunk a{{}, 0, 10}, b{{}, 10, 10};
  // The engine put a's last segment a little past the chunk's end: still kept.
  a.transcript.segments = {{9.8, 10.6, "no no"}};
  b.transcript.segments = {{0, 5, "no no"}};
  EXPECT_EQ(text_of(merge_chunks({a, b})), "no no no no");
}

TEST(ChunkMerge, LanguageIsTheMostCommon) {
  std::vector<Chunk> chunks(4);
  std::vector<std::string> langs = {"en", "id", "id", ""};
  for (size_t i = 0; i < chunks.size(); ++i) {
    chunks[i].offset = i * 10.0;
    chunks[i].duration = 10;
    chunks[i].transcript.language = langs[i];
    chunks[i].transcript.engine = "groq";
    chunks[i].transcript.model = "whisper-large-v3-turbo";
  }
  Transcript m = merge_chunks(chunks);
  EXPECT_EQ(m.language, "id");
  EXPECT_EQ(m.engine, "groq");
  EXPECT_EQ(m.model, "whisper-large-v3-turbo");
  EXPECT_DOUBLE_EQ(m.duration, 40);
  EXPECT_TRUE(merge_chunks({}).segments.empty());
}

}  // namespace
}  // namespace tgscribe::transcript
