#pragma once
// The throttled status message of one job. Telegram answers bots that edit progress messages
// too often with retry_after of minutes, so an edit is sent only when the text changed and at
// least `interval` after the previous one; intermediate texts are dropped, the final one waits.
#include <chrono>
#include <functional>
#include <mutex>
#include <string>

#include "common/clock.h"

namespace tgscribe::jobs {

class StatusReporter {
 public:
  // `edit` performs the edit (and may throw; failures are logged, progress is best effort).
  StatusReporter(Clock& clock, std::chrono::milliseconds interval,
                 std::function<void(const std::string&)> edit, std::string initial_text = {});

  // Progress: sent when changed and the interval has passed, else dropped (returns false).
  bool update(const std::string& text);
  // A final state (done, failed, cancelled): waits out the interval, then sends when changed.
  void finish(const std::string& text);

  int edits_sent() const;

 private:
  bool send_locked(const std::string& text);

  Clock& clock_;
  const std::chrono::milliseconds interval_;
  std::function<void(const std::string&)> edit_;
  mutable std::mutex mutex_;
  std::string last_text_;
  std::chrono::steady_clock::time_point last_edit_{};
  bool edited_ = false;
  int edits_ = 0;
};

}  // namespace tgscribe::jobs
