// The hardened media entry point on arbitrary bytes: probe, then decode a bounded amount to
// PCM, from an in-memory source (the same demuxer whitelist and AVIO callbacks as for a file).
// Any input may be refused with MediaRejected; nothing else may escape, crash or hang.
#include <spdlog/spdlog.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "media/media_error.h"
#include "media/media_info.h"
#include "media/media_source.h"
#include "media/pcm_decoder.h"

using namespace tgscribe::media;

namespace {

// A name gives FFmpeg a format hint by its extension, as a user's file name would; which one
// is derived from the input so each input always sees the same name.
const std::array<const char*, 8> kNames = {"voice.ogg",  "audio.mp3", "clip.wav",  "song.m4a",
                                           "video.webm", "a.flac",    "movie.mp4", "file"};

// Caps that keep one input cheap: a few seconds of audio are enough to reach every decoder
// path, and a liar that claims hours must be stopped by the limits, not by the fuzzer.
constexpr size_t kMaxSamples = 16000 * 8;
const MediaLimits kLimits{4'000'000, 60};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  auto source = MediaSource::from_memory(bytes, kNames[size % kNames.size()]);
  try {
    MediaInfo info = probe(source, kLimits);
    FUZZ_CHECK(info.size_bytes == static_cast<int64_t>(size), "probe reports the real size");
    FUZZ_CHECK(std::isfinite(info.duration_s) && info.duration_s >= 0, "duration is sane");
    FUZZ_CHECK(info.duration_s <= kLimits.max_duration_s, "probe let a too long input through");
  } catch (const MediaRejected&) {
    return 0;
  }
  try {
    PcmDecoder decoder(source, kLimits);
    std::vector<int16_t> buf(4096);
    size_t total = 0;
    double last = 0;
    while (total < kMaxSamples) {
      size_t n = decoder.read(buf.data(), buf.size());
      FUZZ_CHECK(n <= buf.size(), "read() overfilled its buffer");
      if (n == 0) break;
      total += n;
      double pos = decoder.position_s();
      FUZZ_CHECK(std::isfinite(pos) && pos >= last, "position goes forward");
      last = pos;
    }
  } catch (const MediaRejected&) {
  }
  return 0;
}
