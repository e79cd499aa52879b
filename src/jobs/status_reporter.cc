#include "jobs/status_reporter.h"

#include <spdlog/spdlog.h>

namespace tgscribe::jobs {

StatusReporter::StatusReporter(Clock& clock, std::chrono::milliseconds interval,
                               std::function<void(const std::string&)> edit,
                               std::string initial_text)
    : clock_(clock),
      interval_(interval),
      edit_(std::move(edit)),
      last_text_(std::move(initial_text)) {
  // The message was just sent with initial_text: that counts as the last change.
  if (!last_text_.empty()) {
    last_edit_ = clock_.now();
    edited_ = true;
  }
}

bool StatusReporter::update(const std::string& text) {
  std::lock_guard lock(mutex_);
  if (text == last_text_) return false;
  if (edited_ && clock_.now() - last_edit_ < interval_) return false;
  return send_locked(text);
}

void StatusReporter::finish(const std::string& text) {
  std::unique_lock lock(mutex_);
  if (text == last_text_) return;
  if (edited_) {
    auto wait = interval_ - (clock_.now() - last_edit_);
    if (wait > std::chrono::milliseconds(0)) {
      clock_.sleep_for(std::chrono::duration_cast<std::chrono::milliseconds>(wait) +
                       std::chrono::milliseconds(1));
    }
  }
  send_locked(text);
}

int StatusReporter::edits_sent() const {
  std::lock_guard lock(mutex_);
  return edits_;
}

bool StatusReporter::send_locked(const std::string& text) {
  // The attempt counts even when it fails: a failed edit (e.g. a 429) must not be retried
  // at once, that is exactly what trips flood control.
  last_edit_ = clock_.now();
  edited_ = true;
  try {
    edit_(text);
    last_text_ = text;
    ++edits_;
    return true;
  } catch (const std::exception& e) {
    spdlog::warn("status edit failed: {}", e.what());
    return false;
  }
}

}  // namespace tgscribe::jobs
