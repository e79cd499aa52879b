#include "media/audio_encoder.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/error.h"
#include "media/media_error.h"
#include "media/pcm_decoder.h"
#include "media/testing/media_fixtures.h"
#include "media/upload_planner.h"
#include "support/test_util.h"

namespace tgscribe::media {
namespace {
namespace fs = std::filesystem;
using tgscribe::testing::TempDir;

double decoded_seconds(const fs::path& file, double* level_db = nullptr) {
  PcmDecoder dec(file, {});
  std::vector<int16_t> all, buf(8000);
  while (size_t n = dec.read(buf.data(), buf.size())) {
    all.insert(all.end(), buf.begin(), buf.begin() + static_cast<long>(n));
  }
  if (level_db) *level_db = testing::rms_dbfs(all.data(), all.size());
  return static_cast<double>(all.size()) / 16000;
}

TEST(AudioEncoderTest, WavToOggOpusAt16kMono) {
  TempDir dir;
  fs::path in = dir / "speech.wav";
  ASSERT_TRUE(
      tgscribe::testing::make_speech("Speech to text engines accept Opus at sixteen kilohertz.", in,
                                     {"-ar", "44100", "-ac", "2"}));
  const double in_s = probe_file(in, {}).duration_s;
  fs::path out = dir / "out.ogg";
  EncodeOptions opt;  // Opus in Ogg, 32 kbit/s, 16 kHz mono
  auto r = encode_audio(MediaSource::from_path(in), out, opt);
  EXPECT_EQ(r.bytes, static_cast<int64_t>(fs::file_size(out)));
  EXPECT_NEAR(r.duration_s, in_s, 0.05);

  MediaInfo info = probe_file(out, {});
  EXPECT_EQ(info.container, "ogg");
  EXPECT_EQ(info.audio_codec, "opus");
  EXPECT_EQ(info.channels, 1);
  EXPECT_NEAR(info.duration_s, in_s, 0.1);
  // The size the planner expects, for this bitrate and duration (constrained VBR: at most
  // the target, and not far under it for speech).
  PlannerOptions po;
  const int64_t planned = estimate_encoded_bytes(opt, in_s, po);
  EXPECT_LE(r.bytes, planned);
  EXPECT_GT(r.bytes, static_cast<int64_t>(in_s * 32000 / 8 * 0.5));
  double level = 0;
  EXPECT_NEAR(decoded_seconds(out, &level), in_s, 0.1);
  EXPECT_GT(level, -35);
}

TEST(AudioEncoderTest, OpusInWebmAndFlac) {
  TempDir dir;
  fs::path in = dir / "tone.mp3";
  ASSERT_TRUE(testing::make_tone(in, 4.0, {"-c:a", "libmp3lame", "-b:a", "64k"}, 44100));
  EncodeOptions webm;
  webm.container = Container::kWebm;
  webm.bitrate = 24000;
  auto r = encode_audio(MediaSource::from_path(in), dir / "out.webm", webm);
  MediaInfo info = probe_file(dir / "out.webm", {});
  EXPECT_EQ(info.container, "matroska,webm");
  EXPECT_EQ(info.audio_codec, "opus");
  EXPECT_NEAR(info.duration_s, 4.0, 0.1);
  EXPECT_LE(r.bytes, estimate_encoded_bytes(webm, 4.0, PlannerOptions{}));

  EncodeOptions flac;
  flac.codec = AudioCodec::kFlac;
  flac.container = Container::kFlac;
  r = encode_audio(MediaSource::from_path(in), dir / "out.flac", flac);
  info = probe_file(dir / "out.flac", {});
  EXPECT_EQ(info.audio_codec, "flac");
  EXPECT_EQ(info.sample_rate, 16000);
  EXPECT_EQ(info.channels, 1);
  EXPECT_NEAR(r.duration_s, 4.0, 0.1);
  EXPECT_NEAR(decoded_seconds(dir / "out.flac"), 4.0, 0.1);
}

TEST(AudioEncoderTest, CutsARange) {
  TempDir dir;
  fs::path in = dir / "tone.ogg";
  ASSERT_TRUE(testing::make_tone(in, 12.0, {"-c:a", "libopus", "-b:a", "32k"}));
  EncodeOptions opt;
  opt.start_s = 3.0;
  opt.end_s = 8.5;
  auto r = encode_audio(MediaSource::from_path(in), dir / "cut.ogg", opt);
  EXPECT_NEAR(r.duration_s, 5.5, 0.02);
  EXPECT_NEAR(probe_file(dir / "cut.ogg", {}).duration_s, 5.5, 0.1);
  EXPECT_NEAR(decoded_seconds(dir / "cut.ogg"), 5.5, 0.1);
}

TEST(AudioEncoderTest, LowerBitrateMakesSmallerFiles) {
  TempDir dir;
  fs::path in = dir / "noise.wav";
  // Noise keeps the encoder at its target rate, so sizes follow bitrates.
  ASSERT_TRUE(
      testing::run_ffmpeg({"-f", "lavfi", "-i", "anoisesrc=r=16000:a=0.3:d=10", in.string()}));
  EncodeOptions hi, lo;
  hi.bitrate = 32000;
  lo.bitrate = 12000;
  auto a = encode_audio(MediaSource::from_path(in), dir / "hi.ogg", hi);
  auto b = encode_audio(MediaSource::from_path(in), dir / "lo.ogg", lo);
  EXPECT_GT(a.bytes, 10 * 32000 / 8 * 6 / 10) << a.bytes;
  EXPECT_GT(b.bytes, 10 * 12000 / 8 * 6 / 10) << b.bytes;
  EXPECT_GT(a.bytes, 2 * b.bytes) << a.bytes << " vs " << b.bytes;
  EXPECT_LE(a.bytes, estimate_encoded_bytes(hi, 10, PlannerOptions{}));
  EXPECT_LE(b.bytes, estimate_encoded_bytes(lo, 10, PlannerOptions{}));
}

// The default complexity (0, chosen by bench/opus_settings_bench.cc) reaches libopus: the same
// input encodes to other bytes at 10, both within the planned size; out of range is refused.
TEST(AudioEncoderTest, ComplexityReachesTheEncoder) {
  TempDir dir;
  fs::path in = dir / "speech.wav";
  ASSERT_TRUE(tgscribe::testing::make_speech("Complexity trades processor time for quality.", in));
  const double in_s = probe_file(in, {}).duration_s;
  EncodeOptions fast, slow;
  slow.complexity = 10;
  EXPECT_EQ(fast.complexity, 0);
  auto a = encode_audio(MediaSource::from_path(in), dir / "fast.ogg", fast);
  auto b = encode_audio(MediaSource::from_path(in), dir / "slow.ogg", slow);
  EXPECT_NE(tgscribe::testing::read_file(dir / "fast.ogg"),
            tgscribe::testing::read_file(dir / "slow.ogg"));
  EXPECT_LE(a.bytes, estimate_encoded_bytes(fast, in_s, PlannerOptions{}));
  EXPECT_LE(b.bytes, estimate_encoded_bytes(slow, in_s, PlannerOptions{}));
  EXPECT_NEAR(decoded_seconds(dir / "fast.ogg"), in_s, 0.1);
  for (int bad : {-1, 11}) {
    EncodeOptions o;
    o.complexity = bad;
    EXPECT_THROW(encode_audio(MediaSource::from_path(in), dir / "bad.ogg", o),
                 std::invalid_argument);
  }
}

TEST(AudioEncoderTest, RemuxesVoiceNoteIntoWebmWithoutReencoding) {
  TempDir dir;
  fs::path in = dir / "voice.oga";
  ASSERT_TRUE(tgscribe::testing::make_speech("A voice note moves house.", in));
  const MediaInfo src = probe_file(in, {});
  auto r = remux_audio(MediaSource::from_path(in), dir / "voice.webm", Container::kWebm);
  MediaInfo info = probe_file(dir / "voice.webm", {});
  EXPECT_EQ(info.container, "matroska,webm");
  EXPECT_EQ(info.audio_codec, "opus");
  EXPECT_NEAR(info.duration_s, src.duration_s, 0.05);
  EXPECT_NEAR(r.duration_s, src.duration_s, 0.05);
  // Same packets: the size differs only by container framing.
  EXPECT_NEAR(static_cast<double>(r.bytes), static_cast<double>(src.size_bytes),
              2000 + 0.1 * static_cast<double>(src.size_bytes));
  double level = 0;
  EXPECT_NEAR(decoded_seconds(dir / "voice.webm", &level), src.duration_s, 0.05);
  EXPECT_GT(level, -35);
}

TEST(AudioEncoderTest, RejectsBadInputAndOptions) {
  TempDir dir;
  tgscribe::testing::write_file(dir / "x.mp3", "#EXTM3U\n/etc/passwd\n");
  EXPECT_THROW(encode_audio(MediaSource::from_path(dir / "x.mp3"), dir / "o.ogg", {}),
               MediaRejected);
  EXPECT_FALSE(fs::exists(dir / "o.ogg"));
  fs::path in = dir / "t.wav";
  ASSERT_TRUE(testing::make_tone(in, 1.0));
  EncodeOptions bad;
  bad.container = Container::kFlac;  // Opus in a FLAC file
  EXPECT_THROW(encode_audio(MediaSource::from_path(in), dir / "o.flac", bad),
               std::invalid_argument);
  bad = {};
  bad.sample_rate = 44100;
  EXPECT_THROW(encode_audio(MediaSource::from_path(in), dir / "o.ogg", bad), std::invalid_argument);
}

TEST(AudioEncoderTest, CancelRemovesPartialOutput) {
  TempDir dir;
  fs::path in = dir / "t.wav";
  ASSERT_TRUE(testing::make_tone(in, 5.0));
  EncodeOptions opt;
  int polls = 0;
  opt.cancelled = [&] { return ++polls > 10; };
  try {
    encode_audio(MediaSource::from_path(in), dir / "o.ogg", opt);
    ADD_FAILURE() << "not cancelled";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCancelled);
  }
  EXPECT_FALSE(fs::exists(dir / "o.ogg"));
}

TEST(AudioEncoderTest, UnwritableOutputIsAnError) {
  TempDir dir;
  fs::path in = dir / "t.wav";
  ASSERT_TRUE(testing::make_tone(in, 1.0));
  EXPECT_THROW(encode_audio(MediaSource::from_path(in), dir / "no_such_dir" / "o.ogg", {}), Error);
}

}  // namespace
}  // namespace tgscribe::media
