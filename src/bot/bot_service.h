#pragma once
// The whole bot from a Config and the pieces app/ builds (Bot API client, sender, stores,
// pipeline): intake by long polling (or by the webhook server calling handle_update), the
// workers, as BOT_ROLE says (all | ingest | worker), and the outbox dispatcher (every role:
// whoever wrote a message can send it), with a graceful stop.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <thread>

#include "bot/bot_env.h"
#include "bot/update_router.h"
#include "jobs/chat_actions.h"
#include "jobs/job_runner.h"
#include "jobs/outbox_dispatcher.h"
#include "jobs/worker_pool.h"
#include "telegram/poller.h"

namespace tgscribe::bot {

struct BotServiceOptions {
  bool register_commands = true;  // setMyCommands (en + id) at start
  bool manage_webhook = true;     // setWebhook when WEBHOOK_URL is set (polling deletes it)
  telegram::PollerOptions poller;
  std::chrono::milliseconds worker_poll{1000};
  std::chrono::milliseconds job_tick{1000};
  jobs::DispatcherOptions outbox;
  std::string instance;  // worker and sender id prefix; default jobs::instance_id(DATA_DIR)
  // Transient failures of the startup calls (getMe, setWebhook: network errors, 5xx, 429) are
  // retried with this backoff, for as long as it takes or until the stop token fires.
  std::chrono::milliseconds start_backoff_initial{1'000};
  std::chrono::milliseconds start_backoff_max{30'000};
  // The poller dying of something unexpected (a bug) is restarted after this long.
  std::chrono::milliseconds poller_restart{5'000};
};

// The token was refused (401), or Telegram does not know the bot (404: a malformed token or a
// TELEGRAM_API_URL that is no Bot API server). Nothing can work until an operator fixes the
// configuration: the process exits with code 2. what() is one line without the token.
class TokenRejected : public Error {
 public:
  explicit TokenRejected(const telegram::ApiError& e);
};

// What /readyz says about intake.
struct IntakeHealth {
  bool ok = true;
  std::string detail;  // one line: "polling", "long polling stopped: ...", ...
};

class BotService {
 public:
  // `env` must outlive the service. env.pipeline may be null when BOT_ROLE=ingest.
  explicit BotService(BotEnv& env, BotServiceOptions options = {});
  ~BotService();

  // getMe, command menus, webhook/polling, workers. Transient failures are retried until they
  // pass or `stop` is requested (then it returns early; stop() is still called). Throws
  // TokenRejected when the token is refused, tgscribe::Error for a configuration Telegram
  // refuses (setWebhook with a bad URL).
  void start(std::stop_token stop = {});
  // Called once, from the poller's thread, when Telegram refuses the token while polling:
  // `line` says so (without the token). The app stops and exits non-zero.
  void set_fatal_handler(std::function<void(const std::string& line)> handler) {
    on_fatal_ = std::move(handler);
  }
  // For /readyz (polling mode; the app probes the webhook listener itself): not ok before
  // start() finished, while the poller is not running, or while getUpdates keeps answering
  // 409 Conflict (another instance gets the updates).
  IntakeHealth intake_health() const;
  // For the webhook server: true once the update is durably handled.
  bool handle_update(const nlohmann::json& update) { return router_->handle_update(update); }
  // Stops intake at once, lets jobs finish until `deadline`, then leaves the rest to the queue.
  void stop(std::chrono::steady_clock::time_point deadline);

  bool polling() const { return poller_thread_.joinable(); }
  // What BOT_ROLE gives this instance to do (config::Config::runs_intake, runs_workers).
  bool runs_intake() const { return env_.config.runs_intake(); }
  bool runs_workers() const { return env_.config.runs_workers(); }
  UpdateRouter& router() { return *router_; }
  jobs::WorkerPool* workers() { return pool_.get(); }

 private:
  void poll(std::stop_token st);

  BotEnv& env_;
  BotServiceOptions options_;
  std::unique_ptr<jobs::OutboxDispatcher> outbox_;
  std::unique_ptr<jobs::ChatActions> actions_;
  std::unique_ptr<jobs::JobRunner> runner_;
  std::unique_ptr<jobs::WorkerPool> pool_;
  std::unique_ptr<UpdateRouter> router_;
  std::unique_ptr<telegram::Poller> poller_;
  std::jthread poller_thread_;
  bool stopped_ = false;
  std::function<void(const std::string&)> on_fatal_;
  std::atomic<bool> started_{false};
  std::atomic<bool> token_reported_{false};
  std::atomic<bool> polling_{false};
  std::atomic<int64_t> last_conflict_ns_{0};  // steady clock; 0: none
  mutable std::mutex intake_mutex_;
  std::string intake_error_;  // why the poller is not running; guarded by intake_mutex_
};

}  // namespace tgscribe::bot
