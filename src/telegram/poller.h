#pragma once
// Long polling: deleteWebhook once, then getUpdates in a loop. Each update goes to a handler
// that returns true once the update is durably handled; the offset (which confirms updates to
// Telegram) only moves past handled ones, so a crash or a full disk never loses an update.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "common/clock.h"
#include "telegram/bot_api.h"

namespace tgscribe::telegram {

struct PollerOptions {
  int timeout_s = 20;  // long-poll seconds (a stop request ends the long poll at once)
  int limit = 100;
  std::vector<std::string> allowed_updates;  // empty = Telegram's default set
  bool delete_webhook = true;                // polling fails with 409 while a webhook is set
  std::chrono::milliseconds backoff_initial{1'000};
  std::chrono::milliseconds backoff_max{30'000};
  // An update the handler could not make durable (the store is down) is tried again at least
  // this often, so the bot catches up within seconds of the store coming back.
  std::chrono::milliseconds handler_backoff_max{5'000};
  // Updates of one getUpdates answer are handled by up to this many threads at once: those of
  // one chat in order on one lane, chats in parallel. A burst of notes from many users is then
  // admitted at the store's pace rather than one update after another. 1 = strictly in order.
  int lanes = 8;
};

// Returns true when the update is durably handled (or deliberately ignored).
using UpdateHandler = std::function<bool(const nlohmann::json& update)>;

class Poller {
 public:
  Poller(BotApi& api, PollerOptions options = {}, Clock& clock = SystemClock::instance());

  // Polls until `stop` is requested. Throws ApiError only for what retrying cannot fix
  // (401/404: the token is wrong, or the URL is not a Bot API server). 409 Conflict is logged as
  // such, counted and retried.
  void run(std::stop_token stop, const UpdateHandler& handler);

  // One getUpdates round: hands the updates to `handler` (in order within a chat, chats in
  // parallel: PollerOptions::lanes); returns how many were confirmed: the offset moves past
  // the longest run of handled updates from the first, so an update handled after one that
  // failed comes again (the handler finds it done: UpdateLog::seen). Throws what getUpdates throws
  // (kCancelled once `stop` is requested: the long poll does not sit out its timeout). Exposed for
  // tests and custom loops.
  int poll_once(const UpdateHandler& handler, std::stop_token stop = {});

  std::optional<int64_t> offset() const { return offset_; }
  int64_t conflicts() const { return conflicts_.load(); }
  // Called on every 409 with the error (e.g. to mark /readyz as failing).
  void set_conflict_callback(std::function<void(const ApiError&)> cb) {
    on_conflict_ = std::move(cb);
  }

 private:
  bool sleep(std::stop_token& stop, std::chrono::milliseconds d);

  BotApi& api_;
  PollerOptions options_;
  Clock& clock_;
  std::optional<int64_t> offset_;
  bool blocked_ = false;  // the last round stopped at an unhandled update
  std::atomic<int64_t> conflicts_{0};
  std::function<void(const ApiError&)> on_conflict_;
};

}  // namespace tgscribe::telegram
