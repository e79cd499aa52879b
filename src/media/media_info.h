#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

#include "media/media_source.h"

namespace tgscribe::media {

struct MediaInfo {
  std::string container;    // demuxer short name as FFmpeg reports it ("ogg", "mp3", "wav", ...)
  std::string audio_codec;  // "opus", "mp3", "aac", "flac", "pcm_s16le", "vorbis", ...
  double duration_s = 0;
  int64_t size_bytes = 0;
  int sample_rate = 0;
  int channels = 0;
  int64_t audio_bit_rate = 0;  // bits per second, 0 when unknown
  bool has_video = false;
};

struct MediaLimits {
  int64_t max_size_bytes = 2'000'000'000;
  double max_duration_s = 14400;
};

// Opens the file with the hardened demuxer whitelist, checks the limits and finds the audio
// stream; the duration limit is checked against the packets' timestamps too (a demux pass
// without decoding, stopped at the limit), so a header that understates it fools nothing.
// Throws MediaRejected.
MediaInfo probe_file(const std::filesystem::path& path, const MediaLimits& limits);
// The same for any source (a file or an in-memory buffer).
MediaInfo probe(const MediaSource& source, const MediaLimits& limits);

}  // namespace tgscribe::media
