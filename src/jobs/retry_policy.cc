#include "jobs/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace tgscribe::jobs {

std::optional<std::chrono::milliseconds> RetryPolicy::delay(
    int attempts, std::optional<std::chrono::milliseconds> retry_after,
    std::mt19937_64& rng) const {
  if (attempts < 1 || attempts > max_retries) return std::nullopt;
  double ms = static_cast<double>(base.count()) * std::pow(2.0, attempts - 1);
  ms = std::min(ms, static_cast<double>(cap.count()));
  std::uniform_real_distribution<double> dist(0.0, std::max(0.0, jitter));
  ms *= 1.0 + dist(rng);
  auto d = std::chrono::milliseconds(static_cast<int64_t>(ms));
  if (retry_after && *retry_after > d) d = *retry_after;
  return d;
}

}  // namespace tgscribe::jobs
