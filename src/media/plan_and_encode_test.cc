// The planner, silence detection and the encoder together, on real generated speech: what the
// pipeline does for a long recording, scaled down.
#include <gtest/gtest.h>

#include "media/audio_encoder.h"
#include "media/media_info.h"
#include "media/silence.h"
#include "media/testing/media_fixtures.h"
#include "media/upload_planner.h"
#include "support/test_util.h"

namespace tgscribe::media {
namespace {
namespace fs = std::filesystem;
using tgscribe::testing::TempDir;

TEST(PlanAndEncodeTest, ChunksAreCutInThePauseAndEachFits) {
  TempDir dir;
  fs::path wav = dir / "talk.wav";
  double gap_start = 0, gap_end = 0;
  ASSERT_TRUE(testing::make_speech_gap_speech(
      "This recording is long enough to be split in two parts.", 3.0,
      "The second part comes after a pause of three seconds.", wav, &gap_start, &gap_end));
  // The engine takes only Ogg here, so the WAV cannot pass through.
  MediaInfo info = probe_file(wav, {});
  auto source = MediaSource::from_path(wav);
  auto silences = find_silences(source, SilenceOptions{.min_silence_s = 1.0});
  UploadTarget target{true, 60'000, {"ogg"}, 0};
  PlannerOptions options;
  options.max_single_upload_s = info.duration_s * 0.7;  // forces two chunks
  auto plan = plan_upload(info, target, options, silences);
  ASSERT_EQ(plan.kind, PlanKind::kChunks) << plan.reason;
  ASSERT_EQ(plan.pieces.size(), 2u) << plan.reason;
  EXPECT_GT(plan.pieces[0].end_s, gap_start);
  EXPECT_LT(plan.pieces[0].end_s, gap_end);
  EXPECT_GT(plan.pieces[1].start_s, gap_start);
  EXPECT_LT(plan.pieces[1].start_s, gap_end);
  double total = 0;
  for (size_t i = 0; i < plan.pieces.size(); ++i) {
    EncodeOptions enc = plan.encode;
    enc.start_s = plan.pieces[i].start_s;
    enc.end_s = plan.pieces[i].end_s;
    fs::path out = dir / ("piece" + std::to_string(i) + "." + plan.format.extension);
    auto r = encode_audio(source, out, enc);
    EXPECT_LE(r.bytes, static_cast<int64_t>(target.max_upload_bytes * 0.95));
    EXPECT_LE(r.bytes, plan.estimated_piece_bytes);
    MediaInfo piece = probe_file(out, {});
    EXPECT_EQ(piece.audio_codec, "opus");
    EXPECT_NEAR(piece.duration_s, enc.end_s - enc.start_s, 0.1);
    total += r.duration_s;
  }
  // Nearly all of the recording is sent, minus the middle of the pause.
  EXPECT_GT(total, info.duration_s - 3.0);
  EXPECT_LT(total, info.duration_s);
}

TEST(PlanAndEncodeTest, Mp3WithCoverArtIsAudioOnly) {
  TempDir dir;
  fs::path mp3 = dir / "song.mp3";
  fs::path cover = dir / "cover.png";
  fs::path tagged = dir / "tagged.mp3";
  ASSERT_TRUE(tgscribe::testing::make_speech("A song with a picture.", mp3));
  ASSERT_TRUE(testing::run_ffmpeg(
      {"-f", "lavfi", "-i", "color=c=green:s=32x32", "-frames:v", "1", cover.string()}));
  ASSERT_TRUE(testing::run_ffmpeg({"-i", mp3.string(), "-i", cover.string(), "-map", "0", "-map",
                                   "1", "-c", "copy", "-id3v2_version", "3", "-disposition:v",
                                   "attached_pic", tagged.string()}));
  MediaInfo info = probe_file(tagged, {});
  EXPECT_FALSE(info.has_video);
  EXPECT_EQ(info.audio_codec, "mp3");
  EXPECT_EQ(upload_format(info).extension, "mp3");
}

}  // namespace
}  // namespace tgscribe::media
