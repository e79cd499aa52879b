#pragma once
// What the bot's parts share: the configuration and the services they talk to. Owned by
// BotService (or a test); every part holds a reference.
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>

#include "bot/i18n.h"
#include "common/clock.h"
#include "config/config.h"
#include "pipeline/transcription_service.h"
#include "store/inflight.h"
#include "store/job_queue.h"
#include "store/settings_store.h"
#include "store/transcript_cache.h"
#include "telegram/bot_api.h"
#include "telegram/sender.h"
#include "telegram/types.h"

namespace tgscribe::bot {

// A string written once at startup and read by every update thread.
class GuardedString {
 public:
  GuardedString() = default;
  GuardedString(const GuardedString& other) : value_(other.get()) {}
  GuardedString& operator=(const GuardedString& other) {
    set(other.get());
    return *this;
  }
  std::string get() const {
    std::lock_guard lock(mutex_);
    return value_;
  }
  void set(std::string v) {
    std::lock_guard lock(mutex_);
    value_ = std::move(v);
  }

 private:
  mutable std::mutex mutex_;
  std::string value_;
};

// An aggregate, so app/ and tests can build it with designated or positional initializers.
struct BotEnv {
  const config::Config& config;
  telegram::BotApi& api;     // downloads, getChatMember, setMyCommands, getMe
  telegram::Sender& sender;  // every message, edit, document and chat action
  store::JobQueue& queue;
  store::TranscriptCache* cache;  // null when CACHE_ENABLED=false
  store::SettingsStore& settings;
  pipeline::TranscriptionService* pipeline;     // null on an ingest-only instance
  store::InflightRegistry* inflight = nullptr;  // null: no coalescing
  Clock& clock = SystemClock::instance();
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  // The bot's @username (without @), learned from getMe at startup; "" until then.
  GuardedString bot_username;
};

// The language of the bot's texts for the sender of `m` (their Telegram client language).
Lang user_lang(const telegram::Message& m);

// Replies to `m` in its chat and forum topic. Never throws: a reply that cannot be sent is
// logged (the user blocked the bot, the chat is gone ...), it must not fail the update.
void reply_to(BotEnv& env, const telegram::Message& m, const std::string& text);

// The transcription language of a chat: its /lang setting, else LANGUAGE from the config.
std::string chat_language(BotEnv& env, int64_t chat_id);

bool is_admin_user(const config::Config& config, int64_t user_id);

}  // namespace tgscribe::bot
