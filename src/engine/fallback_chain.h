#pragma once
// The primary engine, then TRANSCRIBER_FALLBACK in order. Each engine gets the whole job (its
// own upload plan, retries included); the first success wins. When all fail, one error names
// every engine and its short reason — never a response body or a secret.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/transcriber.h"

namespace tgscribe::engine {

class FallbackChain {
 public:
  explicit FallbackChain(std::vector<std::shared_ptr<Transcriber>> engines);

  // Calls attempt(engine) for each engine in order until one returns. Cancellation and
  // a refused input (kind kMediaRejected: bad for every engine) stop the chain at once.
  // Throws tgscribe::Error summarising all failures, with the kind of the last one.
  transcript::Transcript run(
      const std::function<transcript::Transcript(Transcriber&)>& attempt) const;

  const std::vector<std::shared_ptr<Transcriber>>& engines() const { return engines_; }

 private:
  std::vector<std::shared_ptr<Transcriber>> engines_;
};

}  // namespace tgscribe::engine
