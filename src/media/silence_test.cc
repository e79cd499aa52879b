#include "media/silence.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "media/pcm_decoder.h"
#include "media/testing/media_fixtures.h"
#include "support/test_util.h"

namespace tgscribe::media {
namespace {
namespace fs = std::filesystem;
using tgscribe::testing::TempDir;

TEST(SilenceTest, FindsTheGapBetweenTwoSentences) {
  TempDir dir;
  fs::path wav = dir / "gap.wav";
  double gap_start = 0, gap_end = 0;
  ASSERT_TRUE(testing::make_speech_gap_speech("Good morning, this is the first sentence.", 3.0,
                                              "And here is the second one, after a pause.", wav,
                                              &gap_start, &gap_end));
  // Through a lossy codec too: the gap must survive Opus.
  fs::path ogg = dir / "gap.ogg";
  ASSERT_TRUE(
      testing::run_ffmpeg({"-i", wav.string(), "-c:a", "libopus", "-b:a", "24k", ogg.string()}));
  for (const fs::path& file : {wav, ogg}) {
    auto silences =
        find_silences(MediaSource::from_path(file), SilenceOptions{.min_silence_s = 1.0});
    ASSERT_EQ(silences.size(), 1u) << file;
    EXPECT_NEAR(silences[0].start_s, gap_start, 0.3) << file;
    EXPECT_NEAR(silences[0].end_s, gap_end, 0.3) << file;
  }
}

TEST(SilenceTest, LeadingAndTrailingSilenceAndSpeechSpan) {
  TempDir dir;
  fs::path speech = dir / "s.wav";
  ASSERT_TRUE(tgscribe::testing::make_speech(
      "Silence around me.", speech,
      {"-af",
       "silenceremove=start_periods=1:start_threshold=-50dB,areverse,"
       "silenceremove=start_periods=1:start_threshold=-50dB,areverse",
       "-ar", "16000", "-ac", "1"}));
  const double speech_s = probe_file(speech, {}).duration_s;
  fs::path padded = dir / "padded.flac";
  ASSERT_TRUE(testing::run_ffmpeg({"-i", speech.string(), "-af", "adelay=2000,apad=pad_dur=4",
                                   "-ar", "16000", padded.string()}));
  const double total = probe_file(padded, {}).duration_s;
  ASSERT_NEAR(total, speech_s + 6, 0.1);
  auto silences = find_silences(MediaSource::from_path(padded));
  ASSERT_GE(silences.size(), 2u);
  EXPECT_NEAR(silences.front().start_s, 0, 0.01);
  EXPECT_NEAR(silences.front().end_s, 2.0, 0.3);
  EXPECT_NEAR(silences.back().start_s, 2.0 + speech_s, 0.3);
  EXPECT_NEAR(silences.back().end_s, total, 0.05);
  Interval span = speech_span(silences, total, 0.25);
  EXPECT_NEAR(span.start_s, 2.0 - 0.25, 0.3);
  EXPECT_NEAR(span.end_s, 2.0 + speech_s + 0.25, 0.3);
}

TEST(SilenceTest, AllSilenceGivesAnEmptySpan) {
  TempDir dir;
  fs::path f = dir / "quiet.wav";
  ASSERT_TRUE(testing::run_ffmpeg(
      {"-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "3", f.string()}));
  auto silences = find_silences(MediaSource::from_path(f));
  ASSERT_EQ(silences.size(), 1u);
  EXPECT_NEAR(silences[0].length(), 3.0, 0.05);
  EXPECT_EQ(speech_span(silences, 3.0).length(), 0);
}

TEST(SilenceTest, ToneHasNoSilence) {
  TempDir dir;
  fs::path f = dir / "tone.wav";
  ASSERT_TRUE(testing::make_tone(f, 3.0));
  EXPECT_TRUE(find_silences(MediaSource::from_path(f)).empty());
  Interval span = speech_span({}, 3.0);
  EXPECT_EQ(span, (Interval{0, 3.0}));
}

TEST(SilenceTest, CanBeCancelled) {
  TempDir dir;
  fs::path f = dir / "tone.wav";
  ASSERT_TRUE(testing::make_tone(f, 5.0));
  int polls = 0;
  SilenceOptions o;
  o.cancelled = [&] { return ++polls >= 2; };
  try {
    find_silences(MediaSource::from_path(f), o);
    ADD_FAILURE() << "not cancelled";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCancelled);
  }
  EXPECT_EQ(polls, 2);
}

// Pure chunking: no media needed.
TEST(ChunkTest, ShortSpanIsOneChunk) {
  auto chunks = chunk_at_silences({0, 100}, {}, ChunkOptions{.max_chunk_s = 600});
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0], (Interval{0, 100}));
}

TEST(ChunkTest, NoChunkIsShorterThanTheBillingMinimumUnlessTheWholeMediaIs) {
  ChunkOptions o{.max_chunk_s = 600, .overlap_s = 1.0, .min_chunk_s = 10, .pad_s = 0.3};
  // Just over one chunk, without pauses: a cut at the maximum would leave a 6 s tail, billed
  // as 10 s by Groq. The cut moves so that the tail is at least the billed minimum.
  for (double length : {601.0, 605.0, 609.9}) {
    auto chunks = chunk_at_silences({0, length}, {}, o);
    ASSERT_EQ(chunks.size(), 2u) << length;
    for (const auto& c : chunks) {
      EXPECT_GE(c.length(), o.min_chunk_s) << length;
      EXPECT_LE(c.length(), o.max_chunk_s + 1e-9) << length;
    }
    EXPECT_DOUBLE_EQ(chunks.back().end_s, length);
  }
  // Media shorter than the minimum is sent as it is: there is nothing to save.
  auto short_one = chunk_at_silences({0, 4}, {}, o);
  ASSERT_EQ(short_one.size(), 1u);
  EXPECT_DOUBLE_EQ(short_one[0].length(), 4);
}

TEST(ChunkTest, CutsInsideSilencesWithOverlapAndWithinTheMaximum) {
  // Speech with a 2 s pause every 50 s, over an hour.
  std::vector<Interval> silences;
  for (double t = 48; t < 3600; t += 50) silences.push_back({t, t + 2});
  ChunkOptions o{.max_chunk_s = 600, .overlap_s = 1.0, .min_chunk_s = 10, .pad_s = 0.3};
  auto chunks = chunk_at_silences({0, 3600}, silences, o);
  ASSERT_GE(chunks.size(), 7u);
  EXPECT_DOUBLE_EQ(chunks.front().start_s, 0);
  // The recording ends in a pause (3598-3600): that is trimmed, the speech before it is not.
  EXPECT_GE(chunks.back().end_s, 3598);
  for (size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_LE(chunks[i].length(), o.max_chunk_s + 1e-9) << i;
    if (i + 1 < chunks.size()) {
      EXPECT_GE(chunks[i].length(), o.min_chunk_s) << i;
      // Whatever lies between neighbours is silence: no speech is lost.
      if (chunks[i + 1].start_s > chunks[i].end_s) {
        bool covered = false;
        for (const auto& s : silences) {
          covered |= s.start_s <= chunks[i].end_s && s.end_s >= chunks[i + 1].start_s;
        }
        EXPECT_TRUE(covered) << "gap " << chunks[i].end_s << "-" << chunks[i + 1].start_s;
      }
      // The cut is inside a silence.
      const double cut = (chunks[i].end_s + chunks[i + 1].start_s) / 2;
      bool in_silence = false;
      for (const auto& s : silences) in_silence |= cut > s.start_s && cut < s.end_s;
      EXPECT_TRUE(in_silence) << "cut at " << cut;
    }
  }
}

TEST(ChunkTest, HardCutsWithOverlapWhenThereIsNoSilence) {
  ChunkOptions o{.max_chunk_s = 100, .overlap_s = 2.0};
  auto chunks = chunk_at_silences({0, 250}, {}, o);
  ASSERT_EQ(chunks.size(), 3u);
  for (size_t i = 0; i + 1 < chunks.size(); ++i) {
    EXPECT_NEAR(chunks[i].end_s - chunks[i + 1].start_s, 2.0, 1e-9);
    EXPECT_LE(chunks[i].length(), 100 + 1e-9);
  }
}

TEST(ChunkTest, LongSilencesAreNotSent) {
  // Speech 0-50, silence 50-400, speech 400-450: with chunks of at most 300 s, the silence
  // must not be uploaded.
  std::vector<Interval> silences = {{50, 400}};
  auto chunks = chunk_at_silences({0, 450}, silences, ChunkOptions{.max_chunk_s = 300});
  double sent = 0;
  for (const auto& c : chunks) sent += c.length();
  EXPECT_LT(sent, 110);
  EXPECT_LE(chunks.front().start_s, 0.0);
  EXPECT_GE(chunks.back().end_s, 450.0 - 1e-9);
}

}  // namespace
}  // namespace tgscribe::media
