// Media crafted to fool the limits: headers that understate the duration (MP3 Xing, MP4 mvhd,
// the last Ogg granule, a WAV's bitrate) over long content, and headers claiming sample rates
// and channel counts no buffer should be sized from. Each file is real media made by the
// ffmpeg CLI with a few bytes rewritten.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "media/input_guard.h"
#include "media/media_error.h"
#include "media/media_info.h"
#include "media/pcm_decoder.h"
#include "media/testing/media_fixtures.h"
#include "support/test_util.h"

namespace tgscribe::media {
namespace {
namespace fs = std::filesystem;
using tgscribe::testing::read_file;
using tgscribe::testing::TempDir;
using tgscribe::testing::write_file;

constexpr double kRealSeconds = 150;  // what every lying file below really holds
constexpr double kLimitS = 60;

// Probes `path`; the rejection, or nullopt (with the probed duration) when accepted.
std::optional<MediaRejected> rejection(const fs::path& path, double limit_s,
                                       double* duration_s = nullptr) {
  try {
    MediaInfo info = probe_file(path, MediaLimits{.max_duration_s = limit_s});
    if (duration_s) *duration_s = info.duration_s;
  } catch (const MediaRejected& e) {
    return e;
  }
  return std::nullopt;
}

class HostileMediaTest : public ::testing::Test {
 protected:
  // A kRealSeconds tone encoded with `codec_args` into `name`, rewritten by `lie`, and checked
  // to really fool FFmpeg's header duration (at most 5 s) before the test relies on it.
  template <typename Lie>
  fs::path lying_file(const std::string& name, const std::vector<std::string>& codec_args, int rate,
                      Lie lie) {
    fs::path honest = dir_ / ("honest-" + name);
    EXPECT_TRUE(testing::make_tone(honest, kRealSeconds, codec_args, rate));
    std::string bytes = lie(read_file(honest));
    EXPECT_FALSE(bytes.empty()) << name << ": unexpected layout";
    fs::path out = dir_ / name;
    write_file(out, bytes);
    OpenedInput header(MediaSource::from_path(out), MediaLimits{});
    EXPECT_LE(header.info().duration_s, 5) << name << ": the header does not lie";
    return out;
  }

  // Refused as too long at the probe; with a limit above the content, accepted with the
  // duration of the packets, not the header's.
  void expect_real_duration_holds(const fs::path& file) {
    auto r = rejection(file, kLimitS);
    ASSERT_TRUE(r) << file.filename() << " was accepted under a " << kLimitS << " s limit";
    EXPECT_EQ(r->reason(), RejectReason::kTooLong) << r->what();
    EXPECT_NE(std::string(r->what()).find("too long"), std::string::npos) << r->what();

    double duration = 0;
    r = rejection(file, 3600, &duration);
    ASSERT_FALSE(r) << r->what();
    EXPECT_NEAR(duration, kRealSeconds, 2) << file.filename();
  }

  TempDir dir_;
};

TEST_F(HostileMediaTest, OggWhoseLastGranuleLiesIsTooLong) {
  auto file = lying_file("voice.ogg", {"-c:a", "libopus", "-b:a", "6k"}, 16000,
                         [](std::string b) { return testing::ogg_with_small_granules(b, 48000); });
  expect_real_duration_holds(file);
}

// Every page's granule rewritten: timestamps are tiny too, the packets' durations are not.
TEST_F(HostileMediaTest, OggWhoseEveryGranuleLiesIsTooLong) {
  auto file = lying_file("voice.ogg", {"-c:a", "libopus", "-b:a", "6k"}, 16000, [](std::string b) {
    return testing::ogg_with_small_granules(b, 48000, true);
  });
  expect_real_duration_holds(file);
}

TEST_F(HostileMediaTest, Mp3WhoseXingFrameCountLiesIsTooLong) {
  // 16 kHz MPEG-2 Layer III: 576 samples a frame, so 100 frames claim 3.6 s.
  auto file = lying_file("song.mp3", {"-c:a", "libmp3lame", "-b:a", "24k"}, 16000,
                         [](std::string b) { return testing::mp3_with_xing_frames(b, 100); });
  expect_real_duration_holds(file);
}

TEST_F(HostileMediaTest, Mp4WhoseMovieHeaderLiesIsTooLong) {
  // The CLI's mvhd time scale is 1000: 2000 claims 2 s.
  auto file = lying_file("talk.m4a", {"-c:a", "aac", "-b:a", "16k"}, 16000,
                         [](std::string b) { return testing::mp4_with_mvhd_duration(b, 2000); });
  expect_real_duration_holds(file);
}

TEST_F(HostileMediaTest, WavWhoseBitrateEstimateLiesIsTooLong) {
  auto file = lying_file("memo.wav", {"-c:a", "pcm_s16le"}, 8000,
                         [](std::string b) { return testing::wav_with_bitrate_lie(b, 100); });
  expect_real_duration_holds(file);
}

// Honest files keep the duration their header gives (the packets only ever lengthen it).
TEST_F(HostileMediaTest, HonestFilesKeepTheirDuration) {
  fs::path file = dir_ / "honest.ogg";
  ASSERT_TRUE(testing::make_tone(file, 7.5, {"-c:a", "libopus", "-b:a", "16k"}));
  OpenedInput header(MediaSource::from_path(file), MediaLimits{});
  double duration = 0;
  auto r = rejection(file, 8, &duration);
  ASSERT_FALSE(r) << r->what();
  EXPECT_DOUBLE_EQ(duration, header.info().duration_s);
}

// Refused at the probe, before avformat_find_stream_info opens a decoder or a resampler is
// sized from the claim; and PcmDecoder never gets to decode either.
void expect_refused_shape(const fs::path& file, RejectReason reason, const std::string& says) {
  auto r = rejection(file, kLimitS);
  ASSERT_TRUE(r) << file.filename() << " was accepted";
  EXPECT_EQ(r->reason(), reason) << file.filename() << ": " << r->what();
  EXPECT_NE(std::string(r->what()).find(says), std::string::npos) << r->what();
  try {
    PcmDecoder dec(file, MediaLimits{});
    ADD_FAILURE() << file.filename() << ": the decoder opened";
  } catch (const MediaRejected& e) {
    EXPECT_EQ(e.reason(), reason) << e.what();
  }
}

TEST_F(HostileMediaTest, AbsurdSampleRatesAreCorrupt) {
  // 4 GHz wraps to a negative int (FFmpeg itself refuses it); 2 GHz and 1 MHz do not.
  for (uint32_t rate : {4'000'000'000u, 2'000'000'000u, 1'000'000u}) {
    fs::path file = dir_ / ("rate" + std::to_string(rate) + ".wav");
    write_file(file, testing::wav_with_shape(rate, 1, 64000));
    expect_refused_shape(file, RejectReason::kCorrupt, rate == 4'000'000'000u ? "" : "sample rate");
  }
  // The highest rate real audio uses still opens.
  write_file(dir_ / "hi.wav", testing::wav_with_shape(kMaxSampleRate, 1, 64000));
  EXPECT_FALSE(rejection(dir_ / "hi.wav", kLimitS));
}

TEST_F(HostileMediaTest, AbsurdChannelCountsAreUnsupported) {
  for (uint16_t channels : {10000, 300, 65}) {
    fs::path file = dir_ / ("ch" + std::to_string(channels) + ".wav");
    write_file(file, testing::wav_with_shape(16000, channels, size_t{channels} * 2 * 800));
    expect_refused_shape(file, RejectReason::kUnsupported, std::to_string(channels) + " channels");
  }
  write_file(dir_ / "ch8.wav", testing::wav_with_shape(16000, 8, 8 * 2 * 16000));
  EXPECT_FALSE(rejection(dir_ / "ch8.wav", kLimitS));
}

TEST(AudioShapeTest, BoundsEveryClaim) {
  auto reason_of = [](int rate, int channels, int64_t frame) -> std::optional<RejectReason> {
    try {
      check_audio_shape(rate, channels, frame);
    } catch (const MediaRejected& e) {
      return e.reason();
    }
    return std::nullopt;
  };
  EXPECT_FALSE(reason_of(48000, 2, 960));
  EXPECT_FALSE(reason_of(0, 0, 0));  // not known yet
  EXPECT_FALSE(reason_of(kMaxSampleRate, kMaxChannels, kMaxFrameSamples));
  EXPECT_EQ(reason_of(-1, 1, 0), RejectReason::kCorrupt);
  EXPECT_EQ(reason_of(kMaxSampleRate + 1, 1, 0), RejectReason::kCorrupt);
  EXPECT_EQ(reason_of(16000, -2, 0), RejectReason::kCorrupt);
  EXPECT_EQ(reason_of(16000, kMaxChannels + 1, 0), RejectReason::kUnsupported);
  EXPECT_EQ(reason_of(16000, 1, kMaxFrameSamples + 1), RejectReason::kCorrupt);
  EXPECT_EQ(reason_of(16000, 1, -5), RejectReason::kCorrupt);
}

}  // namespace
}  // namespace tgscribe::media
