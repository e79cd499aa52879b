#pragma once
// Which of the FFmpeg parts tgscribe relies on this process's libav* libraries have: the
// decoders and demuxers of the media people send, and the encoders of the upload planner.
// A distribution build may leave some out; `tgscribe doctor` says which.
#include <string>
#include <vector>

namespace tgscribe::media {

struct CodecComponent {
  enum class Kind { kDecoder, kDemuxer, kEncoder };
  Kind kind;
  std::string name;  // decoder/encoder name as FFmpeg knows it, demuxer short name
};

const char* to_string(CodecComponent::Kind kind);

// What tgscribe needs: decoders opus, vorbis, mp3, aac, flac, pcm_s16le; demuxers ogg, mov
// (mp4/m4a), matroska (webm), mp3, wav; encoders libopus and flac.
const std::vector<CodecComponent>& required_codec_components();

// The components of `wanted` this FFmpeg lacks, in order.
std::vector<CodecComponent> missing_codec_components(const std::vector<CodecComponent>& wanted);

// "FFmpeg 5.1.6 (libavcodec 59.37.100, libavformat 59.27.100)".
std::string ffmpeg_version();

}  // namespace tgscribe::media
