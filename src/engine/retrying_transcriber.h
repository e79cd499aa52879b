#pragma once
// Retries one engine request on errors that may pass (429, 5xx, timeouts, dropped
// connections), honouring the server's Retry-After; everything else fails at once so the
// fallback chain can move on. The loop itself (RetryPolicy, backoff) is engine/retry_loop.h.
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>

#include "common/clock.h"
#include "common/error.h"
#include "engine/retry_loop.h"
#include "engine/transcriber.h"

namespace tgscribe::engine {

class RetryingTranscriber : public Transcriber {
 public:
  RetryingTranscriber(std::shared_ptr<Transcriber> inner, RetryPolicy policy,
                      Clock& clock = SystemClock::instance(),
                      uint64_t seed = std::random_device{}());
  const EngineCaps& caps() const override { return inner_->caps(); }
  transcript::Transcript transcribe(const AudioFile& audio,
                                    const TranscribeOptions& options) override;

  // The wait before retry number `retry` (0-based) for `error`: the server's hint when it gave
  // one, else exponential backoff with jitter (between half and all of base * 2^retry).
  std::chrono::milliseconds delay_for(int retry, const tgscribe::Error& error) {
    return loop_.delay_for(retry, error);
  }

 private:
  std::shared_ptr<Transcriber> inner_;
  RetryLoop loop_;
};

}  // namespace tgscribe::engine
