#pragma once
// A Clock that moves only when the test says so: TTLs, leases, backoff and aging become
// testable without sleeping. sleep_for advances it, so code that waits does not block.
#include <atomic>
#include <chrono>

#include "common/clock.h"

namespace tgscribe::store::testing {

class ManualClock : public Clock {
 public:
  // Starts at a fixed, realistic unix time so stored timestamps look like real ones.
  explicit ManualClock(int64_t start_unix_ms = 1'750'000'000'000) : unix_ms_(start_unix_ms) {}

  std::chrono::steady_clock::time_point now() const override {
    return std::chrono::steady_clock::time_point(std::chrono::milliseconds(offset_ms_.load()));
  }
  int64_t unix_ms() const override { return unix_ms_.load() + offset_ms_.load(); }
  void sleep_for(std::chrono::milliseconds d) override { advance(d); }

  void advance(std::chrono::milliseconds d) { offset_ms_ += d.count(); }

 private:
  const std::atomic<int64_t> unix_ms_;
  std::atomic<int64_t> offset_ms_{0};
};

}  // namespace tgscribe::store::testing
