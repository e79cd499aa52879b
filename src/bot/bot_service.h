#pragma once
// The whole bot from a Config and the pieces app/ builds (Bot API client, sender, stores,
// pipeline): intake by long polling (or by the webhook server calling handle_update), the
// workers, as BOT_ROLE says (all | ingest | worker), and the outbox dispatcher (every role:
// whoever wrote a message can send it), with a graceful stop.
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <thread>

#include "bot/bot.h"
#include "bot/bot_env.h"
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
};

class BotService {
 public:
  // `env` must outlive the service. env.pipeline may be null when BOT_ROLE=ingest.
  explicit BotService(BotEnv& env, BotServiceOptions options = {});
  ~BotService();

  // getMe, command menus, webhook/polling, workers. Throws telegram::ApiError when the token is
  // refused (nothing else can work then).
  void start();
  // For the webhook server: true once the update is durably handled.
  bool handle_update(const nlohmann::json& update) { return bot_->handle_update(update); }
  // Stops intake at once, lets jobs finish until `deadline`, then leaves the rest to the queue.
  void stop(std::chrono::steady_clock::time_point deadline);

  bool polling() const { return poller_thread_.joinable(); }
  bool runs_intake() const;
  bool runs_workers() const;
  Bot& bot() { return *bot_; }
  jobs::WorkerPool* workers() { return pool_.get(); }

 private:
  BotEnv& env_;
  BotServiceOptions options_;
  std::unique_ptr<jobs::OutboxDispatcher> outbox_;
  std::unique_ptr<jobs::ChatActions> actions_;
  std::unique_ptr<jobs::JobRunner> runner_;
  std::unique_ptr<jobs::WorkerPool> pool_;
  std::unique_ptr<Bot> bot_;
  std::unique_ptr<telegram::Poller> poller_;
  std::jthread poller_thread_;
  bool stopped_ = false;
};

}  // namespace tgscribe::bot
