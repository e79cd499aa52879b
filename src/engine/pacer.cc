#include "engine/pacer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "common/metrics.h"
#include "engine/rate_limit_headers.h"

namespace tgscribe::engine {
namespace {

using std::chrono::milliseconds;

std::string random_hex() {
  std::random_device rd;
  char buf[17];
  snprintf(buf, sizeof buf, "%08x%08x", rd(), rd());
  return buf;
}

// The budget's dimensions, in RateAsk::windows / costs order.
constexpr size_t kRequests = 0;
constexpr size_t kAudio = 1;

}  // namespace

PacerLimits pacer_limits(const config::Config& config, const std::string& name,
                         double min_billed_s) {
  PacerLimits l;
  l.engine = name;
  l.min_billed_s = min_billed_s;
  l.max_wait = milliseconds(int64_t{std::max(0, config.pacing_max_wait_s)} * 1000);
  if (name == "groq") {
    l.requests_per_minute = config.groq_rpm;
    l.audio_seconds_per_hour = config.groq_audio_seconds_per_hour;
  } else if (name == "openai") {
    l.requests_per_minute = config.openai_rpm;
    l.audio_seconds_per_hour = config.openai_audio_seconds_per_hour;
  } else if (name == "deepgram") {
    l.requests_per_minute = config.deepgram_rpm;
    l.audio_seconds_per_hour = config.deepgram_audio_seconds_per_hour;
  }
  return l;
}

PacingDeferred::PacingDeferred(const std::string& engine, milliseconds wait)
    : Error(ErrorKind::kRateLimited,
            engine + ": rate budget spent, next request in " +
                std::to_string((wait.count() + 999) / 1000) + " s",
            wait) {}

Pacer::Pacer(PacerLimits limits, std::shared_ptr<RateBudget> budget, Clock& clock)
    : limits_(std::move(limits)),
      budget_(std::move(budget)),
      clock_(clock),
      ticket_prefix_(random_hex() + "-") {}

int64_t Pacer::billed_ms(double audio_s) const {
  double s = std::max(std::max(0.0, audio_s), limits_.min_billed_s);
  return static_cast<int64_t>(std::ceil(s * 1000));
}

RateAsk Pacer::ask(double audio_s, std::string ticket, int64_t order_ms) const {
  RateAsk a;
  a.key = limits_.engine;
  a.ticket = std::move(ticket);
  a.order_ms = order_ms;
  a.windows = {
      RateWindow{limits_.requests_per_minute, milliseconds(60'000) + limits_.margin},
      RateWindow{limits_.audio_seconds_per_hour * 1000, milliseconds(3'600'000) + limits_.margin}};
  a.costs = {1, billed_ms(audio_s)};
  return a;
}

void Pacer::acquire(double audio_s, const std::function<bool()>& cancelled,
                    const std::string& ticket, int64_t order_ms) {
  const int64_t start = clock_.unix_ms();
  const bool stable = !ticket.empty();
  RateAsk a = ask(audio_s, stable ? ticket : ticket_prefix_ + std::to_string(next_ticket_++),
                  stable && order_ms > 0 ? order_ms : start);
  auto& metrics = metrics::Registry::global();
  for (;;) {
    if (cancelled && cancelled()) {
      budget_->leave(a.key, a.ticket);
      throw Error(ErrorKind::kCancelled, "cancelled");
    }
    const int64_t now = clock_.unix_ms();
    RateGrant g = budget_->try_acquire(a, now);
    if (g.granted) {
      if (now > start) {
        metrics.counter_add("engine_pacing_wait_seconds_total", {{"engine", a.key}},
                            (now - start) / 1000.0);
      }
      return;
    }
    if (milliseconds(now - start) + g.wait > limits_.max_wait) {
      // A request that will come back (its job is requeued until then) keeps its place and
      // its share: those behind it are scheduled after it, so it is not deferred again.
      if (stable) {
        budget_->hold(a.key, a.ticket, now + g.wait.count());
      } else {
        budget_->leave(a.key, a.ticket);
      }
      metrics.counter_add("engine_pacing_deferred_total", {{"engine", a.key}});
      spdlog::info("{}: rate budget spent for {} s more, the request waits in the queue", a.key,
                   (g.wait.count() + 999) / 1000);
      throw PacingDeferred(a.key, g.wait);
    }
    // Ask again at the granted time, and at least every second (a waiter that stops asking
    // loses its place); sleep in short slices to notice a cancel.
    auto nap = std::clamp(g.wait, milliseconds(1), milliseconds(1'000));
    while (nap.count() > 0) {
      if (cancelled && cancelled()) break;
      auto slice = std::min(nap, milliseconds(250));
      clock_.sleep_for(slice);
      nap -= slice;
    }
  }
}

void Pacer::observe(const EngineResponse& response) {
  const int64_t now = clock_.unix_ms();
  RateLimitReport r = parse_rate_limit(response, now);
  if (r.status == 429) {
    // One request hit the limit: all of them would. Nobody sends until the server said.
    milliseconds wait = r.retry_after.value_or(milliseconds(1'000));
    budget_->block_until(limits_.engine, now + wait.count());
    spdlog::warn("{}: 429 from the engine, pausing every request for {} ms", limits_.engine,
                 wait.count());
  }
  for (const auto& f : r.families) {
    if (!f.remaining || !f.reset) continue;
    const int64_t until = now + f.reset->count();
    if (*f.remaining <= 0) {
      budget_->block_until(limits_.engine, until);
    } else if (f.name == "requests") {
      budget_->learn(limits_.engine, kRequests, *f.remaining, until);
    } else if (f.name == "audio-seconds" || f.name == "audio_seconds") {
      budget_->learn(limits_.engine, kAudio, *f.remaining * 1000, until);
    }
  }
}

milliseconds Pacer::estimate(double audio_s) {
  return budget_->wait_estimate(ask(audio_s, "estimate", clock_.unix_ms()), clock_.unix_ms());
}

}  // namespace tgscribe::engine
