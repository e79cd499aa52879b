#pragma once
// What the parts of a job's life share: the configuration and the services they talk to.
// Owned by bot::BotService (or a test); every part holds a reference.
#include <chrono>
#include <mutex>
#include <string>

#include "common/clock.h"
#include "config/config.h"
#include "engine/pacer.h"
#include "engine/text_model.h"
#include "pipeline/result_cache.h"
#include "pipeline/transcription_service.h"
#include "store/job_queue.h"
#include "store/outbox.h"
#include "store/settings_store.h"
#include "store/transcript_cache.h"
#include "store/update_log.h"
#include "store/usage_ledger.h"
#include "telegram/bot_api.h"
#include "telegram/sender.h"

namespace tgscribe::jobs {

class UsageRecorder;

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
struct JobEnv {
  const config::Config& config;
  telegram::BotApi& api;     // downloads, getChatMember, setMyCommands, getMe
  telegram::Sender& sender;  // used only by the outbox dispatcher, progress edits, chat actions
  store::UpdateLog& updates;
  store::JobQueue& queue;
  store::Outbox& outbox;
  store::TranscriptCache* cache;  // null when CACHE_ENABLED=false (stats, /forget)
  store::SettingsStore& settings;
  // File-key answers without download, also on an ingest-only instance; null when
  // CACHE_ENABLED=false.
  pipeline::ResultCache* results;
  pipeline::TranscriptionService* pipeline;  // null on an ingest-only instance
  Clock& clock = SystemClock::instance();
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  // The bot's @username (without @), learned from getMe at startup; "" until then.
  GuardedString bot_username;

  // Usage accounting and quotas (/usage, /stats, QUOTA_*); null: none kept (tests, the CLI).
  store::UsageLedger* usage = nullptr;
  UsageRecorder* usage_recorder = nullptr;  // engine requests and cache savings
  // The primary engine's pacer (engine/pacer.h): its wait goes into the status message's
  // estimate of when a transcript is ready. Null: no pacing wait is known.
  engine::Pacer* pacer = nullptr;
  // The text model for summaries and translations (LLM_*, engine/text_model.h); null: none
  // configured, and the actions that need one are not offered.
  engine::TextModel* text_model = nullptr;
};

bool is_admin_user(const config::Config& config, int64_t user_id);

}  // namespace tgscribe::jobs
