#pragma once
// Time as an interface, so retry/backoff, TTLs and throttles are testable without sleeping.
#include <chrono>
#include <cstdint>

namespace tgscribe {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::steady_clock::time_point now() const = 0;
  // Unix time in milliseconds (for TTLs and timestamps that are stored).
  virtual int64_t unix_ms() const = 0;
  virtual void sleep_for(std::chrono::milliseconds d) = 0;
};

class SystemClock : public Clock {
 public:
  std::chrono::steady_clock::time_point now() const override;
  int64_t unix_ms() const override;
  void sleep_for(std::chrono::milliseconds d) override;
  static SystemClock& instance();
};

}  // namespace tgscribe
