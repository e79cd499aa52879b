#include "media/speech_cutter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace tgscribe::media {
namespace {

constexpr int kRate = 16000;

// Loud tone for `speech` seconds, then digital silence for `silence` seconds, appended.
void add(std::vector<int16_t>& pcm, double speech, double silence) {
  const size_t n = static_cast<size_t>(std::llround(speech * kRate));
  for (size_t i = 0; i < n; ++i) {
    pcm.push_back(static_cast<int16_t>(8000 * std::sin(2 * M_PI * 440 * i / kRate)));
  }
  pcm.insert(pcm.end(), static_cast<size_t>(std::llround(silence * kRate)), 0);
}

std::vector<PcmChunk> cut(const std::vector<int16_t>& pcm, const CutterOptions& o,
                          size_t block = 7919) {  // an odd block: windows straddle pushes
  std::vector<PcmChunk> out;
  SpeechCutter c(o, [&](PcmChunk&& chunk) { out.push_back(std::move(chunk)); });
  for (size_t i = 0; i < pcm.size(); i += block) {
    c.push(pcm.data() + i, std::min(block, pcm.size() - i));
  }
  c.finish();
  return out;
}

double seconds(const PcmChunk& c) { return static_cast<double>(c.pcm.size()) / kRate; }

TEST(SpeechCutter, LeavesLongSilencesOutAndRecordsWhatItKept) {
  std::vector<int16_t> pcm;
  add(pcm, 0, 5);    // leading silence
  add(pcm, 10, 20);  // speech 5..15
  add(pcm, 10, 1);   // speech 35..45, a short pause kept
  add(pcm, 5, 30);   // speech 46..51, trailing silence
  CutterOptions o;
  o.skip_silence = true;
  o.target_s = o.first_target_s = 1000;
  o.max_s = 2000;
  auto chunks = cut(pcm, o);
  ASSERT_EQ(chunks.size(), 1u);
  const PcmChunk& c = chunks[0];
  ASSERT_EQ(c.kept.size(), 2u);
  EXPECT_NEAR(c.kept[0].start_s, 5 - o.pad_s, 0.03);
  EXPECT_NEAR(c.kept[0].end_s, 15 + o.pad_s, 0.03);
  EXPECT_NEAR(c.kept[1].start_s, 35 - o.pad_s, 0.03);
  EXPECT_NEAR(c.kept[1].end_s, 51 + o.pad_s, 0.03);  // the 1 s pause stays in
  // What is sent is the speech and its pads, nothing else.
  EXPECT_NEAR(seconds(c), 26 + 4 * o.pad_s, 0.05);
  double kept = 0;
  for (const auto& k : c.kept) kept += k.length();
  EXPECT_NEAR(kept, seconds(c), 1e-6);
}

TEST(SpeechCutter, WithoutSkippingEverythingIsSent) {
  std::vector<int16_t> pcm;
  add(pcm, 10, 20);
  add(pcm, 10, 0);
  CutterOptions o;
  o.target_s = o.first_target_s = 1000;
  o.max_s = 2000;
  auto chunks = cut(pcm, o);
  ASSERT_EQ(chunks.size(), 1u);
  ASSERT_EQ(chunks[0].kept.size(), 1u);
  EXPECT_NEAR(seconds(chunks[0]), 40, 1e-3);
}

TEST(SpeechCutter, CutsInPausesOnceAChunkReachesItsTarget) {
  std::vector<int16_t> pcm;
  for (int i = 0; i < 20; ++i) add(pcm, 9, 1);  // 200 s, a pause every 10 s
  CutterOptions o;
  o.first_target_s = 25;
  o.target_s = 50;
  o.max_s = 75;
  auto chunks = cut(pcm, o);
  ASSERT_GE(chunks.size(), 4u);
  EXPECT_LT(seconds(chunks[0]), seconds(chunks[1]));  // the first one is short: early upload
  for (size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_EQ(chunks[i].index, static_cast<int>(i));
    EXPECT_TRUE(chunks[i].has_speech);
    if (i + 1 < chunks.size()) {
      // Adjacent, no overlap, and the cut is inside a pause (9.x s into a 10 s period).
      EXPECT_NEAR(chunks[i].end_s(), chunks[i + 1].start_s(), 1e-6);
      const double in_period = std::fmod(chunks[i].end_s(), 10.0);
      EXPECT_GT(in_period, 9.0) << chunks[i].end_s();
      EXPECT_LE(seconds(chunks[i]), o.max_s);
    }
  }
  EXPECT_NEAR(chunks.back().end_s(), 200, 1e-3);
}

TEST(SpeechCutter, HardCutWithOverlapWhenNobodyPauses) {
  std::vector<int16_t> pcm;
  add(pcm, 100, 0);
  CutterOptions o;
  o.first_target_s = o.target_s = 30;
  o.max_s = 40;
  o.overlap_s = 1;
  auto chunks = cut(pcm, o);
  ASSERT_GE(chunks.size(), 3u);
  for (size_t i = 0; i + 1 < chunks.size(); ++i) {
    EXPECT_NEAR(chunks[i].end_s() - chunks[i + 1].start_s(), 1.0, 1e-3);
    EXPECT_LE(seconds(chunks[i]), 40 + 1e-6);
  }
}

TEST(SpeechCutter, AShortTailJoinsThePreviousChunk) {
  std::vector<int16_t> pcm;
  for (int i = 0; i < 6; ++i) add(pcm, 9, 1);  // 60 s
  add(pcm, 3, 0);                              // then a 3 s tail after a pause
  CutterOptions o;
  o.first_target_s = o.target_s = 55;
  o.max_s = 80;
  o.min_s = 10;  // Groq bills at least 10 s per request
  auto chunks = cut(pcm, o);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_NEAR(seconds(chunks[0]), 63, 1e-3);
  o.min_s = 0;  // no billed minimum: the tail is its own chunk
  EXPECT_EQ(cut(pcm, o).size(), 2u);
}

TEST(SpeechCutter, OnlySilenceHasNoSpeech) {
  std::vector<int16_t> pcm;
  add(pcm, 0, 30);
  CutterOptions o;
  o.skip_silence = true;
  for (const auto& c : cut(pcm, o)) EXPECT_FALSE(c.has_speech);
}

TEST(SpeechCutter, StereoIsCutLikeMono) {
  std::vector<int16_t> mono;
  add(mono, 5, 10);
  add(mono, 5, 0);
  std::vector<int16_t> stereo;
  for (int16_t s : mono) {
    stereo.push_back(s);
    stereo.push_back(s);
  }
  CutterOptions o;
  o.channels = 2;
  o.skip_silence = true;
  o.target_s = o.first_target_s = 1000;
  o.max_s = 2000;
  auto chunks = cut(stereo, o);
  ASSERT_EQ(chunks.size(), 1u);
  ASSERT_EQ(chunks[0].kept.size(), 2u);
  EXPECT_NEAR(chunks[0].kept[1].start_s, 15 - o.pad_s, 0.03);
  EXPECT_EQ(chunks[0].pcm.size() % 2, 0u);
}

}  // namespace
}  // namespace tgscribe::media
