#pragma once
// The one outbound path for messages, edits, documents and chat actions. Every call waits for
// its slot under Telegram's flood limits (RateLimiter), obeys retry_after on 429, retries
// transient failures, treats "message is not modified" as success, follows a group's
// migration to a supergroup, and keeps forum replies in their topic. Callers block until the
// call is done or has failed for good (or, with CallOptions::wait_for_chat = false, fail at
// once when their chat must wait); any number of threads may call at once.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "common/clock.h"
#include "telegram/bot_api.h"
#include "telegram/rate_limiter.h"

namespace tgscribe::telegram {

struct SenderOptions {
  RateLimits limits;
  int max_attempts = 5;  // per call, over 429s, 5xx and network errors
  // The longest wait a call accepts (a retry_after or a chat still blocked by one). Longer
  // waits fail at once with a kRateLimited ApiError, so a worker is not parked for minutes;
  // the caller decides (skip a progress edit, retry the job later).
  std::chrono::milliseconds max_wait{60'000};
  std::chrono::milliseconds backoff_initial{500};
  std::chrono::milliseconds backoff_max{8'000};
};

// How one call treats a chat that Telegram told to wait (a 429's retry_after, or Telegram's
// bot-wide flood limit).
struct CallOptions {
  // false: fail at once with a kRateLimited ApiError whose retry_after() is the wait, instead
  // of sleeping it out. A caller that serves many chats from a few threads (the outbox
  // dispatcher) sets it, puts that chat's message aside until then and goes on with other
  // chats: one rate-limited chat must not hold a thread the others need. The wait is
  // remembered either way, so the chat's next call fails (or waits) without asking Telegram.
  bool wait_for_chat = true;
};

class Sender {
 public:
  using MigrationCallback = std::function<void(int64_t old_chat_id, int64_t new_chat_id)>;

  explicit Sender(BotApi& api, SenderOptions options = {}, Clock& clock = SystemClock::instance());

  // Called (from the sending thread) whenever Telegram says a group became a supergroup, so the
  // caller can move what it stores under the old id. Set before sending starts.
  void set_migration_callback(MigrationCallback cb) { on_migrate_ = std::move(cb); }

  Message send_message(SendMessageParams params, CallOptions call = {});
  // false when Telegram answered "message is not modified" (nothing to do, not an error).
  bool edit_message_text(EditMessageTextParams params, CallOptions call = {});
  Message send_document(SendDocumentParams params, CallOptions call = {});
  // Best effort, never throws, never waits for a blocked chat nor for a bot-wide slot that
  // messages are using: false when it was not sent.
  bool send_chat_action(int64_t chat_id, const std::string& action,
                        std::optional<int64_t> message_thread_id = std::nullopt);

  // The chat id to use now for `chat_id` (after any migrations seen).
  int64_t resolve_chat(int64_t chat_id) const;

 private:
  template <typename Fn>
  auto deliver(const char* method, int64_t chat_id, std::optional<int64_t>* thread,
               const CallOptions& call, Fn&& fn) -> decltype(fn(int64_t{}));
  void wait_until(std::chrono::steady_clock::time_point t);
  void note_migration(int64_t from, int64_t to);

  BotApi& api_;
  SenderOptions options_;
  Clock& clock_;
  RateLimiter limiter_;
  MigrationCallback on_migrate_;
  mutable std::mutex mutex_;
  std::map<int64_t, int64_t> migrated_;  // old chat id -> new; guarded by mutex_
};

}  // namespace tgscribe::telegram
