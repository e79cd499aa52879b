#pragma once
// Records every request an engine answered into a UsageSink: audio seconds sent, billed
// seconds by the engine's rule, bytes uploaded, estimated cost, attributed to
// TranscribeOptions::user_id. Wrapped outermost (around retries), so one record is one
// answered, billed request: a request that failed (429, 5xx, timeout) is not billed and not
// recorded, a retried one is recorded once.
#include <memory>

#include "engine/billing.h"
#include "engine/transcriber.h"

namespace tgscribe::engine {

class MeteredTranscriber : public Transcriber {
 public:
  // `sink` must outlive this transcriber.
  MeteredTranscriber(std::shared_ptr<Transcriber> inner, BillingRule rule, UsageSink& sink);
  const EngineCaps& caps() const override { return inner_->caps(); }
  transcript::Transcript transcribe(const AudioFile& audio,
                                    const TranscribeOptions& options) override;

 private:
  std::shared_ptr<Transcriber> inner_;
  BillingRule rule_;
  UsageSink& sink_;
};

// Wraps each engine of `chain` (from make_engine_chain) with its rule from `config`.
std::vector<std::shared_ptr<Transcriber>> metered(std::vector<std::shared_ptr<Transcriber>> chain,
                                                  const config::Config& config, UsageSink& sink);

}  // namespace tgscribe::engine
