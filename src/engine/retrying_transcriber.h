#pragma once
// Retries one engine request on errors that may pass (429, 5xx, timeouts, dropped
// connections), honouring the server's Retry-After; everything else fails at once so the
// fallback chain can move on.
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>

#include "common/clock.h"
#include "common/error.h"
#include "engine/transcriber.h"

namespace tgscribe::engine {

struct RetryPolicy {
  int max_retries = 3;  // retries after the first attempt (Config::engine_max_retries)
  std::chrono::milliseconds base_delay{1'000};  // first backoff; doubles each retry
  std::chrono::milliseconds max_delay{30'000};  // cap of one backoff
  // A server asking to wait longer than this (e.g. a daily quota) is not waited for: the
  // error goes to the fallback chain instead of stalling the job.
  std::chrono::milliseconds max_retry_after{120'000};
};

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
  std::chrono::milliseconds delay_for(int retry, const tgscribe::Error& error);

 private:
  std::shared_ptr<Transcriber> inner_;
  RetryPolicy policy_;
  Clock& clock_;
  std::mutex rng_mutex_;
  std::mt19937_64 rng_;  // guarded by rng_mutex_
};

}  // namespace tgscribe::engine
