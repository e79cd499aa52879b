#include "media/codec_support.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
}

#include <fmt/format.h>

namespace tgscribe::media {
namespace {

bool present(const CodecComponent& c) {
  switch (c.kind) {
    case CodecComponent::Kind::kDecoder:
      return avcodec_find_decoder_by_name(c.name.c_str()) != nullptr;
    case CodecComponent::Kind::kEncoder:
      return avcodec_find_encoder_by_name(c.name.c_str()) != nullptr;
    case CodecComponent::Kind::kDemuxer:
      return av_find_input_format(c.name.c_str()) != nullptr;
  }
  return false;
}

std::string version_of(unsigned v) {
  return fmt::format("{}.{}.{}", AV_VERSION_MAJOR(v), AV_VERSION_MINOR(v), AV_VERSION_MICRO(v));
}

}  // namespace

const char* to_string(CodecComponent::Kind kind) {
  switch (kind) {
    case CodecComponent::Kind::kDecoder:
      return "decoder";
    case CodecComponent::Kind::kDemuxer:
      return "demuxer";
    case CodecComponent::Kind::kEncoder:
      return "encoder";
  }
  return "?";
}

const std::vector<CodecComponent>& required_codec_components() {
  using K = CodecComponent::Kind;
  // The encoder names are the ones audio_encoder.cc asks for (libopus, not FFmpeg's own
  // experimental opus encoder).
  static const std::vector<CodecComponent> wanted = {
      {K::kDecoder, "opus"}, {K::kDecoder, "vorbis"}, {K::kDecoder, "mp3"},
      {K::kDecoder, "aac"},  {K::kDecoder, "flac"},   {K::kDecoder, "pcm_s16le"},
      {K::kDemuxer, "ogg"},  {K::kDemuxer, "mov"},    {K::kDemuxer, "matroska"},
      {K::kDemuxer, "mp3"},  {K::kDemuxer, "wav"},    {K::kEncoder, "libopus"},
      {K::kEncoder, "flac"}};
  return wanted;
}

std::vector<CodecComponent> missing_codec_components(const std::vector<CodecComponent>& wanted) {
  std::vector<CodecComponent> missing;
  for (const auto& c : wanted) {
    if (!present(c)) missing.push_back(c);
  }
  return missing;
}

std::string ffmpeg_version() {
  return fmt::format("FFmpeg {} (libavcodec {}, libavformat {})", av_version_info(),
                     version_of(avcodec_version()), version_of(avformat_version()));
}

}  // namespace tgscribe::media
