#include "engine/retrying_transcriber.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/error.h"
#include "common/metrics.h"
#include "engine/pacer.h"

namespace tgscribe::engine {

RetryingTranscriber::RetryingTranscriber(std::shared_ptr<Transcriber> inner, RetryPolicy policy,
                                         Clock& clock, uint64_t seed)
    : inner_(std::move(inner)), policy_(policy), clock_(clock), rng_(seed) {}

std::chrono::milliseconds RetryingTranscriber::delay_for(int retry, const Error& error) {
  if (error.retry_after()) return *error.retry_after();
  int64_t base = policy_.base_delay.count();
  int64_t cap = policy_.max_delay.count();
  int64_t full = std::min(cap, base << std::min(retry, 20));
  std::lock_guard lock(rng_mutex_);
  std::uniform_int_distribution<int64_t> jitter(full / 2, std::max(full / 2, full));
  return std::chrono::milliseconds(jitter(rng_));
}

transcript::Transcript RetryingTranscriber::transcribe(const AudioFile& audio,
                                                       const TranscribeOptions& options) {
  const std::string& name = inner_->caps().name;
  for (int attempt = 0;; ++attempt) {
    try {
      return inner_->transcribe(audio, options);
    } catch (const Error& e) {
      // No request was sent, so no engine error. The pacer already knows when the budget frees up,
      // and that it is too far to hold a worker for: the job waits in the queue, not here.
      if (dynamic_cast<const PacingDeferred*>(&e)) throw;
      // Every failed request counts, retried or not: the dashboard's "engine errors" panel.
      if (e.kind() != ErrorKind::kCancelled) {
        metrics::Registry::global().counter_add("engine_errors_total",
                                                {{"engine", name}, {"kind", to_string(e.kind())}});
      }
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
        if (options.cancelled && options.cancelled()) {
          throw Error(ErrorKind::kCancelled, "cancelled");
        }
        auto slice = std::min(left, std::chrono::milliseconds(250));
        clock_.sleep_for(slice);
        left -= slice;
      }
      if (options.cancelled && options.cancelled()) throw Error(ErrorKind::kCancelled, "cancelled");
    }
  }
}

}  // namespace tgscribe::engine
