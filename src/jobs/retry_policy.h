#pragma once
// When a failed job runs again: QUEUE_RETRY_DELAY doubled per attempt, with jitter so jobs
// that failed together (an engine outage) do not all come back at the same instant.
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>

namespace tgscribe::jobs {

struct RetryPolicy {
  int max_retries = 2;                   // retries after the first attempt
  std::chrono::milliseconds base{5000};  // delay before the first retry
  std::chrono::milliseconds cap{std::chrono::minutes(30)};
  double jitter = 0.25;  // up to +25 %

  // attempts = claims so far (1 after the first run). nullopt = no retry left.
  // `retry_after` (from a 429) is a floor for the delay.
  std::optional<std::chrono::milliseconds> delay(
      int attempts, std::optional<std::chrono::milliseconds> retry_after,
      std::mt19937_64& rng) const;
};

}  // namespace tgscribe::jobs
