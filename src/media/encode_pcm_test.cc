// media::encode_pcm: chunks cut from one decode are encoded from memory, with the same
// settings as encode_audio.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "media/audio_encoder.h"
#include "media/media_info.h"
#include "support/test_util.h"

namespace tgscribe::media {
namespace {

TEST(EncodePcm, WritesWhatItIsGivenAsOpus) {
  tgscribe::testing::TempDir dir;
  std::vector<int16_t> pcm(16000 * 3);
  for (size_t i = 0; i < pcm.size(); ++i) {
    pcm[i] = static_cast<int16_t>(6000 * std::sin(2 * M_PI * 330 * static_cast<double>(i) / 16000));
  }
  EncodeOptions o;
  o.start_s = 1;  // ignored: the buffer is the chunk
  o.end_s = 2;
  auto out = dir / "chunk.ogg";
  EncodeResult r = encode_pcm(pcm, out, o);
  EXPECT_NEAR(r.duration_s, 3, 0.03);
  MediaInfo info = probe_file(out, {});
  EXPECT_EQ(info.audio_codec, "opus");
  EXPECT_NEAR(info.duration_s, 3, 0.1);
  EXPECT_EQ(r.bytes, static_cast<int64_t>(std::filesystem::file_size(out)));
  // Bitrate as asked: ~32 kbit/s for 3 s, far below 16-bit PCM.
  EXPECT_LT(r.bytes, 3 * 32000 / 8 * 2);
}

TEST(EncodePcm, EmptyBufferAndCancellation) {
  tgscribe::testing::TempDir dir;
  EncodeResult r = encode_pcm({}, dir / "empty.ogg", {});
  EXPECT_EQ(r.duration_s, 0);
  std::vector<int16_t> pcm(16000 * 10, 100);
  EncodeOptions o;
  o.cancelled = [] { return true; };
  EXPECT_THROW(encode_pcm(pcm, dir / "cancelled.ogg", o), std::exception);
  EXPECT_FALSE(std::filesystem::exists(dir / "cancelled.ogg"));
}

}  // namespace
}  // namespace tgscribe::media
