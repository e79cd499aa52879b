#pragma once
// Runs one claimed job to its end: download (SHA-256 while bytes arrive), file key -> cache,
// coalesced transcription, delivery, and the queue state that follows (delivered, retry with
// backoff, failed with a plain message, cancelled, or back to the queue on shutdown).
#include <atomic>
#include <mutex>
#include <random>
#include <string>

#include "bot/bot_env.h"
#include "bot/delivery.h"
#include "bot/retry_policy.h"
#include "store/job.h"

namespace tgscribe::bot {

class JobRunner {
 public:
  JobRunner(BotEnv& env, Delivery& delivery, RetryPolicy policy);

  // `abandon` turns true when the shutdown deadline passed: the job stops at the next safe
  // point and goes back to the queue for the next start.
  void run(const store::Job& job, const std::string& worker_id, const std::atomic<bool>& abandon);

  // Period of the typing action and heartbeat checks (tests shorten it).
  void set_tick(std::chrono::milliseconds tick) { tick_ = tick; }

 private:
  std::chrono::milliseconds next_retry_delay(int attempts,
                                             std::optional<std::chrono::milliseconds> after,
                                             bool* retry);

  BotEnv& env_;
  Delivery& delivery_;
  RetryPolicy policy_;
  std::chrono::milliseconds tick_{1000};
  std::mutex rng_mutex_;
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace tgscribe::bot
