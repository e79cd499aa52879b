#include "media/codec_support.h"

#include <gtest/gtest.h>

namespace tgscribe::media {
namespace {

using K = CodecComponent::Kind;

// Debian 12's FFmpeg (what the build links) has everything tgscribe needs.
TEST(CodecSupport, DebianFfmpegHasEveryRequiredComponent) {
  auto missing = missing_codec_components(required_codec_components());
  for (const auto& c : missing) ADD_FAILURE() << "missing " << to_string(c.kind) << " " << c.name;
  EXPECT_TRUE(missing.empty());
}

TEST(CodecSupport, NamesTheComponentsThatAreAbsentInOrder) {
  std::vector<CodecComponent> wanted = {{K::kDecoder, "no_such_decoder"},
                                        {K::kDecoder, "opus"},
                                        {K::kDemuxer, "no_such_demuxer"},
                                        {K::kEncoder, "no_such_encoder"},
                                        {K::kEncoder, "flac"}};
  auto missing = missing_codec_components(wanted);
  ASSERT_EQ(missing.size(), 3u);
  EXPECT_EQ(missing[0].name, "no_such_decoder");
  EXPECT_EQ(missing[1].name, "no_such_demuxer");
  EXPECT_EQ(missing[1].kind, K::kDemuxer);
  EXPECT_EQ(missing[2].name, "no_such_encoder");
}

TEST(CodecSupport, KindMattersNotJustTheName) {
  // "wav" is a demuxer, not a decoder: asking for the wrong kind finds nothing.
  EXPECT_EQ(missing_codec_components({{K::kDecoder, "wav"}}).size(), 1u);
  EXPECT_TRUE(missing_codec_components({{K::kDemuxer, "wav"}}).empty());
}

TEST(CodecSupport, VersionNamesTheLibraries) {
  std::string v = ffmpeg_version();
  EXPECT_EQ(v.rfind("FFmpeg ", 0), 0u) << v;
  EXPECT_NE(v.find("libavcodec "), std::string::npos) << v;
}

}  // namespace
}  // namespace tgscribe::media
