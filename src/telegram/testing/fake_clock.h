#pragma once
// A clock that only moves when someone sleeps on it (or a test advances it): rate limits and
// retry_after waits run instantly and deterministically.
#include <atomic>
#include <chrono>

#include "common/clock.h"

namespace tgscribe::telegram::testing {

class FakeClock : public Clock {
 public:
  std::chrono::steady_clock::time_point now() const override {
    return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(ns_.load()));
  }
  int64_t unix_ms() const override { return 1'700'000'000'000 + ns_.load() / 1'000'000; }
  void sleep_for(std::chrono::milliseconds d) override {
    if (d.count() > 0) {
      ns_ += std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
      slept_ms_ += d.count();
    }
  }
  void advance(std::chrono::milliseconds d) { ns_ += std::chrono::nanoseconds(d).count(); }
  // Total time callers spent sleeping.
  std::chrono::milliseconds slept() const { return std::chrono::milliseconds(slept_ms_.load()); }

 private:
  std::atomic<int64_t> ns_{1'000'000'000'000};  // far from zero: no epoch edge cases
  std::atomic<int64_t> slept_ms_{0};
};

}  // namespace tgscribe::telegram::testing
