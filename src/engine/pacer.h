#pragma once
// Keeps one engine's requests inside its rate limits instead of sending them into a 429:
// before each request it reserves 1 request (per minute) and the request's billed audio
// seconds (per hour) in a RateBudget shared by every worker (and, on Redis, every instance),
// waiting its turn in a first-come-first-served line. A wait longer than `max_wait` is not
// held: PacingDeferred tells the caller how long, so the job goes back to the queue for that
// long instead of holding a worker. Answers teach it too: a 429's Retry-After stops every
// request to the engine until then, and x-ratelimit-remaining-* caps what is granted.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/error.h"
#include "common/rate_budget.h"
#include "config/config.h"
#include "engine/transcriber.h"

namespace tgscribe::engine {

struct PacerLimits {
  std::string engine;                  // the budget's key: "groq", "openai", "deepgram"
  int64_t requests_per_minute = 0;     // 0 = no limit
  int64_t audio_seconds_per_hour = 0;  // billed seconds; 0 = no limit
  double min_billed_s = 0;             // a request costs at least this much audio
  std::chrono::milliseconds max_wait{60'000};
  // Added to each window: our clock starts a request's window when it is granted, the
  // server's when the upload arrives, a little later.
  std::chrono::milliseconds margin{1'000};
};

// The configured limits of engine `name` (GROQ_RPM, GROQ_AUDIO_SECONDS_PER_HOUR, ...).
PacerLimits pacer_limits(const config::Config& config, const std::string& name,
                         double min_billed_s);

// A request that would wait `wait` for the engine's budget, more than the pacer holds a worker
// for: the job should come back after `wait`. Kind kRateLimited, retry_after = wait.
class PacingDeferred : public Error {
 public:
  PacingDeferred(const std::string& engine, std::chrono::milliseconds wait);
  std::chrono::milliseconds wait() const { return *retry_after(); }
};

class Pacer {
 public:
  Pacer(PacerLimits limits, std::shared_ptr<RateBudget> budget,
        Clock& clock = SystemClock::instance());

  // Returns when a request of `audio_s` seconds may be sent (its share recorded). Throws
  // PacingDeferred when that is more than max_wait away, Error(kCancelled) when `cancelled`
  // turns true while waiting, and the budget's errors (its store unreachable).
  // `ticket` names the request across claims of its job ("<job>/<piece>"), `order_ms` its
  // place in line (the job's admission): a deferred request keeps its place, held for it
  // until it comes back. Empty: a one-off request, in line by arrival.
  void acquire(double audio_s, const std::function<bool()>& cancelled = {},
               const std::string& ticket = "", int64_t order_ms = 0);
  // Learns from an answer of the engine (EngineResponse from TranscribeOptions::on_response).
  void observe(const EngineResponse& response);
  // How long a request of `audio_s` seconds asked now would wait (ETAs); 0 when it would not.
  std::chrono::milliseconds estimate(double audio_s);

  const PacerLimits& limits() const { return limits_; }
  int64_t billed_ms(double audio_s) const;

 private:
  RateAsk ask(double audio_s, std::string ticket, int64_t order_ms) const;

  PacerLimits limits_;
  std::shared_ptr<RateBudget> budget_;
  Clock& clock_;
  std::string ticket_prefix_;
  std::atomic<uint64_t> next_ticket_{0};
};

}  // namespace tgscribe::engine
