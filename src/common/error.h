#pragma once
// One error type for failures that cross module boundaries. The kind, not the message,
// decides what happens next (retry, fall back, tell the user), as in userver's error kinds.
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include "common/reject_reason.h"

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
  // The media itself was refused (reject_reason() says why): not retryable, no other engine
  // tried; exit code 3 in the CLI, a plain message in the bot. Thrown as media::MediaRejected.
  kMediaRejected,
};

const char* to_string(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message,
        std::optional<std::chrono::milliseconds> retry_after = std::nullopt)
      : std::runtime_error(message), kind_(kind), retry_after_(retry_after) {}
  // A refused media input: kind kMediaRejected with its reason.
  Error(RejectReason reason, const std::string& detail)
      : std::runtime_error(detail), kind_(ErrorKind::kMediaRejected), reject_reason_(reason) {}

  ErrorKind kind() const { return kind_; }
  std::optional<std::chrono::milliseconds> retry_after() const { return retry_after_; }
  // Set by the RejectReason constructor, so on every rejection media/ throws.
  std::optional<RejectReason> reject_reason() const { return reject_reason_; }
  bool retryable() const {
    return kind_ == ErrorKind::kNetwork || kind_ == ErrorKind::kTimeout ||
           kind_ == ErrorKind::kRateLimited || kind_ == ErrorKind::kServer;
  }

 private:
  ErrorKind kind_;
  std::optional<std::chrono::milliseconds> retry_after_;
  std::optional<RejectReason> reject_reason_;
};

}  // namespace tgscribe
