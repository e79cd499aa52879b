#include "jobs/retry_policy.h"

#include <algorithm>

#include "common/backoff.h"

namespace tgscribe::jobs {

std::optional<std::chrono::milliseconds> RetryPolicy::delay(
    int attempts, std::optional<std::chrono::milliseconds> retry_after,
    std::mt19937_64& rng) const {
  if (attempts < 1 || attempts > max_retries) return std::nullopt;
  auto d = Jitter{1.0, 1.0 + std::max(0.0, jitter)}.apply(
      exponential_backoff(base, cap, attempts - 1), rng);
  if (retry_after && *retry_after > d) d = *retry_after;
  return d;
}

}  // namespace tgscribe::jobs
