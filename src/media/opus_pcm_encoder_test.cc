// media::encode_pcm_opus: libopus's single-stream API instead of libavcodec's wrapper, and the
// same file as encode_pcm (so the engines get what they got before): the same size, header,
// packets, timestamps and end trimming, for both containers and for lengths that end on a
// frame, inside one, or are empty. (Not byte for byte: the muxers draw a random Ogg serial
// number and random WebM UIDs for every file, encode_pcm's own two runs differ there too.)
#include "media/opus_pcm_encoder.h"

extern "C" {
#include <libavformat/avformat.h>
}

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "common/error.h"
#include "media/audio_encoder.h"
#include "media/input_guard.h"
#include "media/media_info.h"
#include "media/media_source.h"
#include "support/test_util.h"

namespace tgscribe::media {
namespace {

// What a demuxer reads back: the stream header and every packet with its timing and side data.
std::vector<std::string> demuxed(const std::filesystem::path& p) {
  OpenedInput in(MediaSource::from_path(p), {});
  AVFormatContext* fmt = in.format_context();
  const AVStream* st = fmt->streams[in.audio_stream_index()];
  const AVCodecParameters* par = st->codecpar;
  std::vector<std::string> out;
  out.push_back(std::string(reinterpret_cast<const char*>(par->extradata),
                            static_cast<size_t>(par->extradata_size)) +
                " rate " + std::to_string(par->sample_rate) + " ch " +
                std::to_string(par->ch_layout.nb_channels) + " padding " +
                std::to_string(par->initial_padding) + " tb " + std::to_string(st->time_base.num) +
                "/" + std::to_string(st->time_base.den));
  AVPacket* pkt = av_packet_alloc();
  while (av_read_frame(fmt, pkt) >= 0) {
    std::string e(reinterpret_cast<const char*>(pkt->data), static_cast<size_t>(pkt->size));
    e += " pts " + std::to_string(pkt->pts) + " dur " + std::to_string(pkt->duration) + " flags " +
         std::to_string(pkt->flags);
    for (int i = 0; i < pkt->side_data_elems; ++i) {
      e += " side " + std::to_string(pkt->side_data[i].type) + ":" +
           std::string(reinterpret_cast<const char*>(pkt->side_data[i].data),
                       pkt->side_data[i].size);
    }
    out.push_back(std::move(e));
    av_packet_unref(pkt);
  }
  av_packet_free(&pkt);
  return out;
}

// Speech-like: a gliding tone with noise and pauses, so the encoder switches between its
// voiced, unvoiced and silent paths.
std::vector<int16_t> signal(size_t frames, int channels, int rate = 16000) {
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0, 800);
  std::vector<int16_t> pcm(frames * static_cast<size_t>(channels));
  for (size_t i = 0; i < frames; ++i) {
    const double t = static_cast<double>(i) / rate;
    const bool pause = std::fmod(t, 1.3) > 1.0;
    const double v =
        pause ? 0 : 7000 * std::sin(2 * M_PI * (180 + 60 * std::sin(t * 3)) * t) + noise(rng);
    for (int c = 0; c < channels; ++c) {
      pcm[i * static_cast<size_t>(channels) + static_cast<size_t>(c)] =
          static_cast<int16_t>(std::clamp(v * (c == 0 ? 1.0 : 0.7), -32768.0, 32767.0));
    }
  }
  return pcm;
}

struct Case {
  Container container;
  int channels;
  size_t frames;
};

class SameFileAsEncodePcm : public ::testing::TestWithParam<Case> {};

TEST_P(SameFileAsEncodePcm, SamePacketsAndTimes) {
  const Case c = GetParam();
  tgscribe::testing::TempDir dir;
  const std::vector<int16_t> pcm = signal(c.frames, c.channels);
  EncodeOptions o;
  o.container = c.container;
  o.channels = c.channels;
  const std::string ext = c.container == Container::kOgg ? ".ogg" : ".webm";
  const auto ours = dir / ("ours" + ext);
  const auto reference = dir / ("libavcodec" + ext);
  const EncodeResult a = encode_pcm_opus(pcm, ours, o);
  const EncodeResult b = encode_pcm(pcm, reference, o);
  EXPECT_EQ(a.bytes, b.bytes);
  EXPECT_DOUBLE_EQ(a.duration_s, b.duration_s);
  EXPECT_EQ(a.bytes, static_cast<int64_t>(std::filesystem::file_size(ours)));
  if (c.frames > 0) {
    const std::vector<std::string> x = demuxed(ours), y = demuxed(reference);
    ASSERT_EQ(x.size(), y.size());
    EXPECT_GT(x.size(), 1u);  // a header and at least one packet
    for (size_t i = 0; i < x.size(); ++i) EXPECT_TRUE(x[i] == y[i]) << "entry " << i << " differs";
    const MediaInfo info = probe_file(ours, {});
    EXPECT_EQ(info.audio_codec, "opus");
    EXPECT_NEAR(info.duration_s, static_cast<double>(c.frames) / 16000, 0.05);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Lengths, SameFileAsEncodePcm,
    ::testing::Values(Case{Container::kOgg, 1, 16000 * 7 + 123},  // ends inside a frame
                      Case{Container::kOgg, 1, 320 * 100},        // ends on a frame
                      Case{Container::kOgg, 1, 50},               // shorter than the lookahead
                      Case{Container::kOgg, 1, 0},                // nothing: headers only
                      Case{Container::kOgg, 2, 16000 * 2 + 7},
                      Case{Container::kWebm, 1, 16000 * 7 + 123},
                      Case{Container::kWebm, 1, 320 * 100}));

TEST(EncodePcmOpus, CancelledLeavesNoFile) {
  tgscribe::testing::TempDir dir;
  const std::vector<int16_t> pcm = signal(16000 * 5, 1);
  EncodeOptions o;
  o.cancelled = [] { return true; };
  try {
    encode_pcm_opus(pcm, dir / "c.ogg", o);
    FAIL() << "not cancelled";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCancelled);
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "c.ogg"));
}

TEST(EncodePcmOpus, RefusesWhatIsNotOpus) {
  tgscribe::testing::TempDir dir;
  const std::vector<int16_t> pcm(1600);
  EncodeOptions flac;
  flac.codec = AudioCodec::kFlac;
  flac.container = Container::kFlac;
  EXPECT_THROW(encode_pcm_opus(pcm, dir / "a.flac", flac), std::invalid_argument);
  EncodeOptions rate;
  rate.sample_rate = 44100;
  EXPECT_THROW(encode_pcm_opus(pcm, dir / "a.ogg", rate), std::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(dir / "a.ogg"));
}

TEST(EncodePcmOpus, UnwritablePathIsAnInternalError) {
  const std::vector<int16_t> pcm = signal(1600, 1);
  try {
    encode_pcm_opus(pcm, "/nonexistent-dir/x.ogg", {});
    FAIL() << "wrote to a missing directory";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInternal);
  }
}

}  // namespace
}  // namespace tgscribe::media
