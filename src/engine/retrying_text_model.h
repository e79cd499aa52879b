#pragma once
// Retries one text-model request on errors that may pass (429, 5xx, timeouts, dropped
// connections) with the engines' retry loop (engine/retry_loop.h): the server's Retry-After
// first, else backoff; bounded attempts; a cancelled request stops waiting at once.
// ContextTooLong and other client errors fail at once (a retry cannot pass them).
#include <memory>
#include <random>

#include "common/clock.h"
#include "engine/retry_loop.h"
#include "engine/text_model.h"

namespace tgscribe::engine {

class RetryingTextModel : public TextModel {
 public:
  RetryingTextModel(std::shared_ptr<TextModel> inner, RetryPolicy policy,
                    Clock& clock = SystemClock::instance(), uint64_t seed = std::random_device{}());
  const std::string& provider() const override { return inner_->provider(); }
  const std::string& model() const override { return inner_->model(); }
  int64_t context_tokens() const override { return inner_->context_tokens(); }
  Completion complete(const CompletionRequest& request) override;

 private:
  std::shared_ptr<TextModel> inner_;
  RetryLoop loop_;
};

}  // namespace tgscribe::engine
