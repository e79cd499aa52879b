#pragma once
// The one test clock: time moves only when someone sleeps on it or the test advances it, so
// retries, backoff, rate limits, TTLs, leases and aging are tested instantly and
// deterministically. Header-only: any module's tests may use it.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

#include "common/clock.h"

namespace tgscribe::testing {

class ManualClock : public Clock {
 public:
  // Starts at a fixed, realistic unix time so stored timestamps look like real ones. The
  // steady time starts far from zero: no epoch edge cases (a zero time_point meaning "never").
  explicit ManualClock(int64_t start_unix_ms = 1'750'000'000'000) : unix_ms_(start_unix_ms) {}

  std::chrono::steady_clock::time_point now() const override {
    return std::chrono::steady_clock::time_point(std::chrono::milliseconds(kSteadyStartMs) +
                                                 std::chrono::milliseconds(offset_ms_.load()));
  }
  int64_t unix_ms() const override { return unix_ms_ + offset_ms_.load(); }

  // Advances the clock by `d` (a wait of zero or less waits for nothing), counts it in slept()
  // and then calls on_sleep, if set.
  void sleep_for(std::chrono::milliseconds d) override {
    if (d.count() > 0) {
      advance(d);
      slept_ms_ += d.count();
    }
    if (on_sleep) on_sleep();
  }

  // Moves time without anyone sleeping (the test's own passing of time).
  void advance(std::chrono::milliseconds d) { offset_ms_ += d.count(); }

  // Total time callers spent sleeping (not counting advance()).
  std::chrono::milliseconds slept() const { return std::chrono::milliseconds(slept_ms_.load()); }

  // Called after every sleep_for, e.g. to cancel a job while it waits. Set it before the clock
  // is shared with other threads.
  std::function<void()> on_sleep;

 private:
  static constexpr int64_t kSteadyStartMs = 1'000'000;
  const int64_t unix_ms_;
  std::atomic<int64_t> offset_ms_{0};
  std::atomic<int64_t> slept_ms_{0};
};

}  // namespace tgscribe::testing
