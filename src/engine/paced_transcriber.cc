#include "engine/paced_transcriber.h"

namespace tgscribe::engine {

PacedTranscriber::PacedTranscriber(std::shared_ptr<Transcriber> inner, std::shared_ptr<Pacer> pacer)
    : inner_(std::move(inner)), pacer_(std::move(pacer)) {}

transcript::Transcript PacedTranscriber::transcribe(const AudioFile& audio,
                                                    const TranscribeOptions& options) {
  pacer_->acquire(audio.info.duration_s, options.cancelled, options.pacing_ticket,
                  options.pacing_order_ms);
  TranscribeOptions o = options;
  o.on_response = [this, outer = options.on_response](const EngineResponse& r) {
    pacer_->observe(r);
    if (outer) outer(r);
  };
  return inner_->transcribe(audio, o);
}

}  // namespace tgscribe::engine
