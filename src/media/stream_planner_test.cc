#include "media/stream_planner.h"

#include <gtest/gtest.h>

namespace tgscribe::media {
namespace {

MediaInfo media(double duration, int64_t bytes, const std::string& container,
                const std::string& codec) {
  MediaInfo i;
  i.duration_s = duration;
  i.size_bytes = bytes;
  i.container = container;
  i.audio_codec = codec;
  i.sample_rate = 44100;
  i.channels = 2;
  return i;
}

UploadTarget groq() {
  UploadTarget t;
  t.max_upload_bytes = 25'000'000;
  t.accepted_extensions = {"flac", "mp3", "mp4", "m4a", "ogg", "wav", "webm"};
  t.min_billed_s = 10;
  return t;
}

StreamPlan plan(const MediaInfo& info, StreamOptions o = {}, UploadTarget t = groq()) {
  PlannerOptions p;
  return plan_stream(info, t, p, plan_upload(info, t, p), o);
}

TEST(StreamPlanner, ShortMediaKeepsTheOneShotPlan) {
  EXPECT_EQ(plan(media(30, 100'000, "ogg", "opus")).decision, StreamDecision::kNo);
  EXPECT_EQ(plan(media(170, 40'000'000, "wav", "pcm_s16le")).decision, StreamDecision::kNo);
}

TEST(StreamPlanner, LongMediaToConvertIsStreamed) {
  StreamPlan p = plan(media(3600, 55'000'000, "mov,mp4,m4a,3gp,3g2,mj2", "aac"));
  ASSERT_EQ(p.decision, StreamDecision::kYes);
  // Spread over ~10 requests, a short first one, and every chunk fits one upload.
  EXPECT_NEAR(p.cutter.target_s, 360, 1);
  EXPECT_LT(p.cutter.first_target_s, p.cutter.target_s);
  EXPECT_GE(p.cutter.first_target_s, 30);
  EXPECT_LE(p.cutter.max_s, 1.5 * p.cutter.target_s);
  EXPECT_LE(p.cutter.max_s, max_upload_seconds(p.encode, groq(), {}));
  EXPECT_EQ(p.cutter.min_s, 10);
  EXPECT_EQ(p.format.extension, "ogg");
}

TEST(StreamPlanner, LongMediaThatFitsIsSplitForSpeedOrForSilence) {
  // 20 minutes of MP3 that would go as it is.
  EXPECT_EQ(plan(media(1200, 19'000'000, "mp3", "mp3")).decision, StreamDecision::kYes);
  // 5 minutes: only if a scan finds enough silence to leave out.
  EXPECT_EQ(plan(media(300, 4'800'000, "mp3", "mp3")).decision, StreamDecision::kIfSilent);
  StreamOptions off;
  off.skip_silence = false;
  EXPECT_EQ(plan(media(300, 4'800'000, "mp3", "mp3"), off).decision, StreamDecision::kNo);
  StreamPlan p = plan(media(1200, 19'000'000, "mp3", "mp3"), off);
  EXPECT_FALSE(p.cutter.skip_silence);
}

TEST(StreamPlanner, EmbeddedEnginesDecodeTheFileThemselves) {
  UploadTarget sphinx;
  sphinx.uploads = false;
  EXPECT_EQ(plan(media(3600, 55'000'000, "mp3", "mp3"), {}, sphinx).decision, StreamDecision::kNo);
}

TEST(StreamPlanner, SkippableSilence) {
  CutterOptions c;  // skip_min 2 s, pads 0.3 s
  EXPECT_NEAR(skippable_s({{0, 1}, {10, 20}, {30, 33}}, c), 9.4 + 2.4, 1e-9);
}

}  // namespace
}  // namespace tgscribe::media
