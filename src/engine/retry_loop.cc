#include "engine/retry_loop.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/backoff.h"

namespace tgscribe::engine {

RetryLoop::RetryLoop(RetryPolicy policy, Clock& clock, uint64_t seed)
    : policy_(policy), clock_(clock), rng_(seed) {}

std::chrono::milliseconds RetryLoop::delay_for(int retry, const Error& error) {
  if (error.retry_after()) return *error.retry_after();
  auto full = exponential_backoff(policy_.base_delay, policy_.max_delay, retry);
  std::lock_guard lock(rng_mutex_);
  return Jitter{0.5, 1.0}.apply(full, rng_);
}

void RetryLoop::after_failure(int attempt, const Error& e, const std::function<bool()>& cancelled,
                              std::string_view name) {
  if (!e.retryable() || attempt >= policy_.max_retries) throw;
  auto wait = delay_for(attempt, e);
  if (wait > policy_.max_retry_after) {
    spdlog::warn("{}: asked to wait {} s, more than {} s: giving up on it", name,
                 wait.count() / 1000, policy_.max_retry_after.count() / 1000);
    throw;
  }
  spdlog::info("{}: {} ({}); retry {}/{} in {} ms", name, e.what(), to_string(e.kind()),
               attempt + 1, policy_.max_retries, wait.count());
  // Sleep in slices so that a cancelled job does not sit out a long Retry-After.
  auto left = wait;
  while (left.count() > 0) {
    if (cancelled && cancelled()) throw Error(ErrorKind::kCancelled, "cancelled");
    auto slice = std::min(left, std::chrono::milliseconds(250));
    clock_.sleep_for(slice);
    left -= slice;
  }
  if (cancelled && cancelled()) throw Error(ErrorKind::kCancelled, "cancelled");
}

}  // namespace tgscribe::engine
