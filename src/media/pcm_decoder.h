#pragma once
// Streaming decode of any supported input to interleaved signed 16-bit PCM (16 kHz mono by
// default). Memory stays bounded: samples are produced as they are read.
#include <cstdint>
#include <filesystem>
#include <memory>

#include "media/media_info.h"

namespace tgscribe::media {

struct PcmFormat {
  int sample_rate = 16000;
  int channels = 1;
};

class PcmDecoder {
 public:
  // Probes and opens the file (hardened, limits checked). Throws MediaRejected.
  PcmDecoder(const std::filesystem::path& path, const MediaLimits& limits, PcmFormat format = {});
  // The same for any source; an in-memory source's buffer must outlive the decoder.
  PcmDecoder(const MediaSource& source, const MediaLimits& limits, PcmFormat format = {});
  ~PcmDecoder();
  PcmDecoder(const PcmDecoder&) = delete;
  PcmDecoder& operator=(const PcmDecoder&) = delete;

  const MediaInfo& info() const;
  const PcmFormat& format() const;
  // Fills up to max_samples (interleaved) samples; returns how many, 0 at the end of the
  // stream. Throws MediaRejected(kCorrupt) when the stream cannot be decoded at all, and
  // MediaRejected(kTooLong) once more audio than MediaLimits allows has come out (headers can
  // understate a duration).
  size_t read(int16_t* out, size_t max_samples);

  // Time, in seconds from the start of the audio, of the next sample read() returns.
  double position_s() const;
  // Continues decoding from `seconds` (sample accurate: earlier samples are dropped). Throws
  // MediaRejected(kCorrupt) when the container cannot seek there.
  void seek(double seconds);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tgscribe::media
