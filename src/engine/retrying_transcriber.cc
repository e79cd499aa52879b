#include "engine/retrying_transcriber.h"

#include "common/error.h"
#include "common/metrics.h"
#include "engine/pacer.h"

namespace tgscribe::engine {

RetryingTranscriber::RetryingTranscriber(std::shared_ptr<Transcriber> inner, RetryPolicy policy,
                                         Clock& clock, uint64_t seed)
    : inner_(std::move(inner)), loop_(policy, clock, seed) {}

transcript::Transcript RetryingTranscriber::transcribe(const AudioFile& audio,
                                                       const TranscribeOptions& options) {
  const std::string& name = inner_->caps().name;
  for (int attempt = 0;; ++attempt) {
    try {
      return inner_->transcribe(audio, options);
    } catch (const Error& e) {
      // Refused media is not an engine error: not counted, not retried.
      if (e.kind() == ErrorKind::kMediaRejected) throw;
      // No request was sent, so no engine error. The pacer already knows when the budget frees up,
      // and that it is too far to hold a worker for: the job waits in the queue, not here.
      if (dynamic_cast<const PacingDeferred*>(&e)) throw;
      // Every failed request counts, retried or not: the dashboard's "engine errors" panel.
      if (e.kind() != ErrorKind::kCancelled) {
        metrics::Registry::global().counter_add("engine_errors_total",
                                                {{"engine", name}, {"kind", to_string(e.kind())}});
      }
      loop_.after_failure(attempt, e, options.cancelled, name);
    }
  }
}

}  // namespace tgscribe::engine
