#include "engine/retrying_text_model.h"

#include "common/metrics.h"

namespace tgscribe::engine {

RetryingTextModel::RetryingTextModel(std::shared_ptr<TextModel> inner, RetryPolicy policy,
                                     Clock& clock, uint64_t seed)
    : inner_(std::move(inner)), loop_(policy, clock, seed) {}

Completion RetryingTextModel::complete(const CompletionRequest& request) {
  for (int attempt = 0;; ++attempt) {
    try {
      return inner_->complete(request);
    } catch (const Error& e) {
      // Every failed request counts, retried or not, as engine_errors_total does for audio.
      if (e.kind() != ErrorKind::kCancelled) {
        metrics::Registry::global().counter_add(
            "llm_errors_total", {{"provider", inner_->provider()}, {"kind", to_string(e.kind())}});
      }
      loop_.after_failure(attempt, e, request.cancelled, inner_->provider());
    }
  }
}

}  // namespace tgscribe::engine
