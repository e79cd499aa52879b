#pragma once
// In-process re-encoding (libavcodec + libavformat, no ffmpeg binary): decodes any accepted
// input through PcmDecoder and writes Opus (OGG/WebM) or FLAC, streaming, so a chunk
// [start, end) of a long recording costs memory for one frame, not for the file.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "media/media_info.h"
#include "media/media_source.h"

namespace tgscribe::media {

enum class AudioCodec { kOpus, kFlac };
enum class Container { kOgg, kWebm, kFlac };

const char* to_string(AudioCodec codec);
const char* to_string(Container container);

struct EncodeOptions {
  AudioCodec codec = AudioCodec::kOpus;
  Container container = Container::kOgg;  // Opus: ogg|webm; FLAC: flac|ogg
  int bitrate = 32000;                    // bits/s (Opus only)
  int sample_rate = 16000;                // Opus: 8000, 12000, 16000, 24000 or 48000
  int channels = 1;
  double start_s = 0;               // cut [start_s, end_s) of the input
  double end_s = -1;                // < 0: to the end
  std::function<bool()> cancelled;  // optional: polled between frames; true aborts
};

struct EncodeResult {
  int64_t bytes = 0;      // size of the written file
  double duration_s = 0;  // audio written
};

// Writes `out` (replacing it). Throws MediaRejected for a bad input, tgscribe::Error
// (kCancelled, or kInternal on an encoder/muxer or write failure, e.g. a full disk) otherwise;
// a partly written file is removed. std::invalid_argument for impossible options.
EncodeResult encode_audio(const MediaSource& source, const std::filesystem::path& out,
                          const EncodeOptions& options, const MediaLimits& limits = {});

// Copies the first audio stream's packets, unchanged, into another container (e.g. a voice
// note's Opus from Ogg into WebM for an engine that does not take Ogg): no quality lost, no
// decoding. Throws like encode_audio, and Error(kInternal) when the container cannot hold the
// codec.
EncodeResult remux_audio(const MediaSource& source, const std::filesystem::path& out,
                         Container container, const MediaLimits& limits = {});

}  // namespace tgscribe::media
