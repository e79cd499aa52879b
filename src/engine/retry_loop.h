#pragma once
// The engines' one retry loop, shared by transcribers (retrying_transcriber.h) and text models
// (retrying_text_model.h): retries on errors that may pass (429, 5xx, timeouts, dropped
// connections), honouring the server's Retry-After, with exponential backoff and jitter
// otherwise; everything else fails at once.
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <string_view>

#include "common/clock.h"
#include "common/error.h"

namespace tgscribe::engine {

struct RetryPolicy {
  int max_retries = 3;  // retries after the first attempt (Config::engine_max_retries)
  std::chrono::milliseconds base_delay{1'000};  // first backoff; doubles each retry
  std::chrono::milliseconds max_delay{30'000};  // cap of one backoff
  // A server asking to wait longer than this (e.g. a daily quota) is not waited for: the
  // error goes to the fallback chain instead of stalling the job.
  std::chrono::milliseconds max_retry_after{120'000};
};

class RetryLoop {
 public:
  explicit RetryLoop(RetryPolicy policy, Clock& clock = SystemClock::instance(),
                     uint64_t seed = std::random_device{}());

  // The wait before retry number `retry` (0-based) for `error`: the server's hint when it gave
  // one, else exponential backoff with jitter (between half and all of base * 2^retry).
  std::chrono::milliseconds delay_for(int retry, const Error& error);

  // Call from the catch block of failed attempt number `attempt` (0-based) with its error:
  // returns after waiting out the backoff when another attempt is worth it; otherwise
  // rethrows the error being handled (not retryable, attempts used up, a wait longer than
  // max_retry_after), or throws kCancelled when `cancelled` turns true while waiting. `name`
  // is for the log.
  void after_failure(int attempt, const Error& error, const std::function<bool()>& cancelled,
                     std::string_view name);

 private:
  RetryPolicy policy_;
  Clock& clock_;
  std::mutex rng_mutex_;
  std::mt19937_64 rng_;  // guarded by rng_mutex_
};

}  // namespace tgscribe::engine
