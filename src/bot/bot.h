#pragma once
// The intake of updates: Bot::handle_update is what the poller and the webhook server call.
// It returns true once the update is durably handled (the job is in the queue, the answer is
// sent, or the update is deliberately ignored), so the offset / HTTP 200 confirms it.
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "bot/bot_env.h"
#include "bot/commands.h"
#include "bot/delivery.h"
#include "bot/intake.h"

namespace tgscribe::bot {

class Bot {
 public:
  // `wake` tells local workers a job was queued (may be empty).
  explicit Bot(BotEnv& env, std::function<void()> wake = {});

  // Malformed updates are logged and confirmed (true): they would fail again. Throws (or
  // returns false) only when the update must come again, e.g. the queue is unreachable.
  bool handle_update(const nlohmann::json& update);

  Delivery& delivery() { return delivery_; }

 private:
  void route(const telegram::Message& m);
  bool allowed(const telegram::Message& m) const;
  bool first_time(int64_t update_id);
  void remember_failed(int64_t update_id);

  BotEnv& env_;
  Delivery delivery_;
  Intake intake_;
  Commands commands_;
  // Updates whose handling failed after de-dup marked them seen: when they come again they
  // must be handled, not dropped as duplicates.
  std::mutex failed_mutex_;
  std::set<int64_t> failed_;  // guarded by failed_mutex_
};

}  // namespace tgscribe::bot
