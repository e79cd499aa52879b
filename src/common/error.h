#pragma once
// One error type for failures that cross module boundaries. The kind, not the message,
// decides what happens next (retry, fall back, tell the user), as in userver's error kinds.
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

namespace tgscribe {

enum class ErrorKind {
  kNetwork,       // connection refused/reset, DNS: retryable
  kTimeout,       // no answer in time: retryable
  kRateLimited,   // 429: retryable after retry_after
  kServer,        // 5xx: retryable
  kClient,        // 4xx other than 408/429: not retryable
  kAuth,          // 401/403: not retryable, configuration problem
  kInvalidInput,  // the input itself is bad: not retryable
  kCancelled,     // the user or shutdown asked to stop
  kInternal,      // a bug
};

const char* to_string(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message,
        std::optional<std::chrono::milliseconds> retry_after = std::nullopt)
      : std::runtime_error(message), kind_(kind), retry_after_(retry_after) {}

  ErrorKind kind() const { return kind_; }
  std::optional<std::chrono::milliseconds> retry_after() const { return retry_after_; }
  bool retryable() const {
    return kind_ == ErrorKind::kNetwork || kind_ == ErrorKind::kTimeout ||
           kind_ == ErrorKind::kRateLimited || kind_ == ErrorKind::kServer;
  }

 private:
  ErrorKind kind_;
  std::optional<std::chrono::milliseconds> retry_after_;
};

}  // namespace tgscribe
