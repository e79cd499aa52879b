#pragma once
// In-process re-encoding (libavcodec + libavformat, no ffmpeg binary): decodes any accepted
// input through PcmDecoder and writes Opus (OGG/WebM) or FLAC, streaming, so a chunk
// [start, end) of a long recording costs memory for one frame, not for the file.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
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
  // Opus complexity 0..10 trades CPU for quality; libopus defaults to 10. Measured on 16 kHz mono
  // speech (bench/opus_settings_bench.cc, curve in docs/benchmarks.md): the embedded engine's
  // word error rate shows no trend with complexity (mean over the four bitrates: 25.7 % at 0,
  // 26.8 % at 5, 25.7 % at 10, on 71 words: a word is 1.4 pp), while encoding costs about 3x
  // more CPU at 10 than at 0 (~140x against ~48x real time per core). The cheapest setting within
  // 0.5 pp of the best WER was complexity 0 at 32 kbit/s, so both are the defaults (the bitrate:
  // PlannerOptions).
  int complexity = 0;
  int sample_rate = 16000;  // Opus: 8000, 12000, 16000, 24000 or 48000
  int channels = 1;
  double start_s = 0;               // cut [start_s, end_s) of the input
  double end_s = -1;                // < 0: to the end
  std::function<bool()> cancelled;  // optional: polled between frames; true aborts
};

struct EncodeResult {
  int64_t bytes = 0;      // size of the written file
  double duration_s = 0;  // audio written
};

// The rules every encoder applies to its options (channels, Opus rates, bitrate and
// complexity ranges, codec/container pairs, a non-empty range): std::invalid_argument when
// broken.
void validate_encode_options(const EncodeOptions& options);

// Writes `out` (replacing it). Throws MediaRejected for a bad input, tgscribe::Error
// (kCancelled, or kInternal on an encoder/muxer or write failure, e.g. a full disk) otherwise;
// a partly written file is removed. std::invalid_argument for impossible options.
EncodeResult encode_audio(const MediaSource& source, const std::filesystem::path& out,
                          const EncodeOptions& options, const MediaLimits& limits = {});

// Encodes interleaved 16-bit samples already in options.sample_rate/channels (start_s and
// end_s ignored): chunks cut from one decode of a long recording are encoded in parallel
// without decoding the file again. Throws like encode_audio.
EncodeResult encode_pcm(std::span<const int16_t> pcm, const std::filesystem::path& out,
                        const EncodeOptions& options);

// Copies the first audio stream's packets, unchanged, into another container (e.g. a voice
// note's Opus from Ogg into WebM for an engine that does not take Ogg): no quality lost, no
// decoding. Throws like encode_audio, and Error(kInternal) when the container cannot hold the
// codec.
EncodeResult remux_audio(const MediaSource& source, const std::filesystem::path& out,
                         Container container, const MediaLimits& limits = {});

}  // namespace tgscribe::media
