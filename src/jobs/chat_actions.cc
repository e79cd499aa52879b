#include "jobs/chat_actions.h"

#include <vector>

namespace tgscribe::jobs {

using Steady = std::chrono::steady_clock;

ChatActions::ChatActions(telegram::Sender& sender, std::chrono::milliseconds period)
    : sender_(sender), period_(period), thread_([this](std::stop_token st) { loop(st); }) {}

ChatActions::~ChatActions() {
  thread_.request_stop();
  cv_.notify_all();
  // A chat action in flight is bounded by the Bot API client's timeouts; the thread is
  // detached rather than joined only if that ever proves too slow for shutdown.
  if (thread_.joinable()) thread_.join();
}

ChatActions::Scope ChatActions::typing(int64_t chat_id, std::optional<int64_t> thread_id) {
  int64_t key;
  {
    std::lock_guard lock(mutex_);
    key = next_key_++;
    active_[key] = {chat_id, thread_id, Steady::now()};
  }
  cv_.notify_all();
  return Scope(this, key);
}

void ChatActions::remove(int64_t key) {
  std::lock_guard lock(mutex_);
  active_.erase(key);
}

void ChatActions::loop(std::stop_token st) {
  while (!st.stop_requested()) {
    std::vector<Active> due;
    auto next = Steady::now() + period_;
    {
      std::unique_lock lock(mutex_);
      auto now = Steady::now();
      for (auto& [key, a] : active_) {
        if (a.next <= now) {
          due.push_back(a);
          a.next = now + period_;
        }
        next = std::min(next, a.next);
      }
    }
    for (const auto& a : due) {
      if (st.stop_requested()) return;
      sender_.send_chat_action(a.chat_id, "typing", a.thread_id);  // best effort, never throws
    }
    std::unique_lock lock(mutex_);
    cv_.wait_until(lock, st, next, [&] {
      for (const auto& [key, a] : active_)
        if (a.next <= Steady::now()) return true;
      return false;
    });
  }
}

}  // namespace tgscribe::jobs
