#pragma once
// Puts an engine's requests through its Pacer (engine/pacer.h): each request waits for its
// share of the engine's rate budget, and every answer (2xx or not) teaches the pacer.
#include <memory>

#include "engine/pacer.h"
#include "engine/transcriber.h"

namespace tgscribe::engine {

class PacedTranscriber : public Transcriber {
 public:
  PacedTranscriber(std::shared_ptr<Transcriber> inner, std::shared_ptr<Pacer> pacer);
  const EngineCaps& caps() const override { return inner_->caps(); }
  // Throws PacingDeferred when the budget frees up later than the pacer waits for.
  transcript::Transcript transcribe(const AudioFile& audio,
                                    const TranscribeOptions& options) override;
  Pacer& pacer() { return *pacer_; }

 private:
  std::shared_ptr<Transcriber> inner_;
  std::shared_ptr<Pacer> pacer_;
};

}  // namespace tgscribe::engine
