#pragma once
// Opus for PCM already in memory (the chunks of a long recording), through libopus's own
// single-stream API instead of libavcodec's wrapper. The wrapper drives libopus through the
// multistream API, whose every 20 ms frame calls opus_encoder_get_size() twice; Debian's
// libopus (built with custom modes) answers that by running its CPU detection, two CPUID
// instructions each time. On a virtual machine every CPUID is a trap to the hypervisor (about
// 7 us on the benchmark machine): a third of the encoder's CPU for 16 kHz speech at
// complexity 0 (docs/benchmarks.md, long_media_bench). The packets are the same bytes and the
// file is the same file as encode_pcm's (opus_pcm_encoder_test.cc checks both containers).
#include <filesystem>
#include <span>

#include "media/audio_encoder.h"

namespace tgscribe::media {

// Like encode_pcm for options.codec == kOpus (Ogg or WebM); start_s/end_s ignored. Throws
// std::invalid_argument for impossible options, Error(kCancelled) when options.cancelled says
// so, Error(kInternal) on an encoder, muxer or write failure (a partial file is removed).
EncodeResult encode_pcm_opus(std::span<const int16_t> pcm, const std::filesystem::path& out,
                             const EncodeOptions& options);

}  // namespace tgscribe::media
