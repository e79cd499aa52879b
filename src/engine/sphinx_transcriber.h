#pragma once
// The embedded, offline engine: CMU PocketSphinx (Debian's 5prealpha library, the 0.8 API)
// with the US English model. Weak next to Whisper, but it needs no key and no network, so a
// fresh install can transcribe at once.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>

#include "engine/transcriber.h"
#include "media/media_info.h"

namespace tgscribe::engine {

// 16 kHz mono signed 16-bit samples, pulled in blocks (bounded memory for any length).
class PcmSource {
 public:
  virtual ~PcmSource() = default;
  // Up to max_samples samples; 0 at the end.
  virtual size_t read(int16_t* out, size_t max_samples) = 0;
};

// Thread-safety: one recogniser per instance, loaded on first use (1-2 s) and reused; calls
// to transcribe() on one instance are serialised by a mutex. Run several instances for
// parallel decoding (each holds its own ~40 MB model).
class SphinxTranscriber : public Transcriber {
 public:
  // model_dir holds en-us/ (acoustic model), en-us.lm.bin and cmudict-en-us.dict, as
  // Debian's pocketsphinx-en-us installs them (SPHINX_MODEL_DIR).
  explicit SphinxTranscriber(std::filesystem::path model_dir, media::MediaLimits limits = {});
  ~SphinxTranscriber() override;

  const EngineCaps& caps() const override { return caps_; }
  // Decodes the file with media::PcmDecoder (any supported container) and recognises it.
  // Throws media::MediaRejected for bad input, Error(kCancelled) when options.cancelled says
  // so, Error(kInvalidInput) when the model is missing.
  transcript::Transcript transcribe(const AudioFile& audio,
                                    const TranscribeOptions& options) override;
  // The same on raw PCM; duration_s (0 = unknown) only drives progress reports.
  transcript::Transcript transcribe_pcm(PcmSource& pcm, double duration_s,
                                        const TranscribeOptions& options);

 private:
  struct Decoder;
  Decoder& decoder();  // requires mutex_

  std::filesystem::path model_dir_;
  media::MediaLimits limits_;
  EngineCaps caps_;
  std::mutex mutex_;
  std::unique_ptr<Decoder> decoder_;  // guarded by mutex_
};

}  // namespace tgscribe::engine
