#include "media/pcm_decoder.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <vector>

#include "media/media_error.h"
#include "media/media_info.h"
#include "media/testing/media_fixtures.h"
#include "support/test_util.h"

namespace tgscribe::media {
namespace {
namespace fs = std::filesystem;
using tgscribe::testing::TempDir;

constexpr const char* kSentence =
    "The quick brown fox jumps over the lazy dog near the river bank.";

// Every format is rendered once from the same speech, so the durations can be compared.
class FormatsTest : public ::testing::TestWithParam<std::pair<std::string, std::string>> {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    reference_ = *dir_ / "reference.wav";
    ASSERT_TRUE(tgscribe::testing::make_speech(kSentence, reference_));
    reference_s_ = probe_file(reference_, {}).duration_s;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static TempDir* dir_;
  static fs::path reference_;
  static double reference_s_;
};
TempDir* FormatsTest::dir_ = nullptr;
fs::path FormatsTest::reference_;
double FormatsTest::reference_s_ = 0;

std::vector<int16_t> decode_all(PcmDecoder& dec) {
  std::vector<int16_t> all;
  std::vector<int16_t> buf(4000);
  while (size_t n = dec.read(buf.data(), buf.size()))
    all.insert(all.end(), buf.begin(), buf.begin() + n);
  return all;
}

TEST_P(FormatsTest, ProbesAndDecodesTo16kMono) {
  const auto& [ext, codec] = GetParam();
  fs::path file = *dir_ / ("speech." + ext);
  ASSERT_TRUE(tgscribe::testing::make_speech(kSentence, file)) << ext;
  ASSERT_GT(reference_s_, 2.0);

  MediaInfo info = probe_file(file, {});
  EXPECT_EQ(info.audio_codec, codec) << ext;
  EXPECT_NEAR(info.duration_s, reference_s_, 0.15) << ext;
  EXPECT_EQ(info.size_bytes, static_cast<int64_t>(fs::file_size(file)));
  EXPECT_GT(info.sample_rate, 0);
  EXPECT_GE(info.channels, 1);
  const bool video = ext == "mp4" || ext == "mkv" || ext == "mov";
  EXPECT_EQ(info.has_video, video) << ext;

  PcmDecoder dec(file, {});
  EXPECT_EQ(dec.format().sample_rate, 16000);
  EXPECT_EQ(dec.format().channels, 1);
  auto pcm = decode_all(dec);
  const double seconds = static_cast<double>(pcm.size()) / 16000;
  EXPECT_NEAR(seconds, reference_s_, 0.15) << ext;
  EXPECT_NEAR(dec.position_s(), seconds, 1e-9);
  EXPECT_GT(testing::rms_dbfs(pcm.data(), pcm.size()), -35) << ext << ": decoded near silence";
}

INSTANTIATE_TEST_SUITE_P(AllFormats, FormatsTest,
                         ::testing::Values(std::pair{"ogg", "opus"}, std::pair{"oga", "opus"},
                                           std::pair{"mp3", "mp3"}, std::pair{"m4a", "aac"},
                                           std::pair{"flac", "flac"}, std::pair{"wav", "pcm_s16le"},
                                           std::pair{"webm", "opus"}, std::pair{"mp4", "aac"},
                                           std::pair{"mkv", "aac"}, std::pair{"mov", "aac"}),
                         [](const auto& info) { return info.param.first; });

TEST(PcmDecoderTest, DecodesFromMemoryLikeFromFile) {
  TempDir dir;
  fs::path file = dir / "tone.ogg";
  ASSERT_TRUE(testing::make_tone(file, 2.0, {"-c:a", "libopus", "-b:a", "24k"}, 48000));
  std::ifstream in(file, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
  PcmDecoder from_file(file, {});
  PcmDecoder from_memory(MediaSource::from_memory(bytes, "tone.ogg"), {});
  auto a = decode_all(from_file);
  auto b = decode_all(from_memory);
  EXPECT_EQ(a, b);
  EXPECT_NEAR(a.size() / 16000.0, 2.0, 0.05);
  EXPECT_EQ(from_memory.info().audio_codec, "opus");
}

TEST(PcmDecoderTest, StereoAt44kToOtherFormats) {
  TempDir dir;
  fs::path file = dir / "stereo.flac";
  ASSERT_TRUE(testing::make_tone(file, 1.5, {"-ac", "2", "-ar", "44100"}, 44100));
  PcmDecoder dec(file, {}, PcmFormat{8000, 2});
  auto pcm = decode_all(dec);
  EXPECT_EQ(dec.info().channels, 2);
  EXPECT_EQ(dec.info().sample_rate, 44100);
  EXPECT_EQ(pcm.size() % 2, 0u);
  EXPECT_NEAR(pcm.size() / 2 / 8000.0, 1.5, 0.02);
  EXPECT_GT(testing::rms_dbfs(pcm.data(), pcm.size()), -25);
}

TEST(PcmDecoderTest, SeekStartsAtTheRequestedTime) {
  TempDir dir;
  fs::path file = dir / "tone.wav";
  ASSERT_TRUE(testing::make_tone(file, 10.0));
  PcmDecoder dec(file, {});
  dec.seek(4.0);
  EXPECT_DOUBLE_EQ(dec.position_s(), 4.0);
  auto pcm = decode_all(dec);
  EXPECT_NEAR(pcm.size() / 16000.0, 6.0, 0.01);
  EXPECT_NEAR(dec.position_s(), 10.0, 0.01);
}

TEST(PcmDecoderTest, SeekInCompressedStream) {
  TempDir dir;
  fs::path file = dir / "tone.ogg";
  ASSERT_TRUE(testing::make_tone(file, 8.0, {"-c:a", "libopus", "-b:a", "24k"}));
  PcmDecoder dec(file, {});
  dec.seek(3.0);
  auto pcm = decode_all(dec);
  EXPECT_NEAR(pcm.size() / 16000.0, 5.0, 0.05);
}

long peak_rss_kb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// Two hours of audio must decode in bounded memory: all of it as 16 kHz s16 would be 230 MB.
TEST(PcmDecoderTest, TwoHourFileDecodesInBoundedMemory) {
  TempDir dir;
  fs::path piece = dir / "piece.mp3";
  fs::path longfile = dir / "long.mp3";
  // MP3 at 8 kHz keeps generation and decoding cheap; looping by stream copy makes 2 h fast.
  ASSERT_TRUE(testing::make_tone(piece, 10.0, {"-c:a", "libmp3lame", "-b:a", "8k"}, 8000));
  ASSERT_TRUE(testing::loop_copy(piece, 720, longfile));
  const long before_kb = peak_rss_kb();
  PcmDecoder dec(longfile, MediaLimits{});
  EXPECT_GE(dec.info().duration_s, 7195);
  EXPECT_LT(dec.info().duration_s, 7200 * 1.01);
  std::vector<int16_t> buf(16000);
  int64_t total = 0;
  double loud_sum = 0;
  int blocks = 0;
  while (size_t n = dec.read(buf.data(), buf.size())) {
    total += static_cast<int64_t>(n);
    if (++blocks % 600 == 0) loud_sum += testing::rms_dbfs(buf.data(), n);
  }
  const long growth_mb = (peak_rss_kb() - before_kb) / 1024;
  // Each looped MP3 piece carries its encoder padding, so a little more than 2 h comes out.
  EXPECT_GE(total / 16000.0, 7200);
  EXPECT_LT(total / 16000.0, 7200 * 1.01);
  EXPECT_GT(loud_sum / (blocks / 600), -30);  // the tone (-21 dBFS RMS) is there all along
  EXPECT_LT(growth_mb, 64) << "peak RSS grew by " << growth_mb << " MB";
}

}  // namespace
}  // namespace tgscribe::media
