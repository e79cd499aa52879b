#include "bot/bot_service.h"

#include <spdlog/spdlog.h>

#include "bot/commands.h"
#include "jobs/instance_id.h"
#include "jobs/job_metrics.h"

namespace tgscribe::bot {

BotService::BotService(BotEnv& env, BotServiceOptions options)
    : env_(env), options_(std::move(options)) {
  if (options_.instance.empty()) options_.instance = jobs::instance_id(env_.config.data_dir);
  options_.outbox.senders = env_.config.outbox_senders;
  outbox_ = std::make_unique<jobs::OutboxDispatcher>(env_, options_.instance, options_.outbox);
  auto wake_outbox = [this] { outbox_->notify(); };
  bot_ = std::make_unique<Bot>(
      env_,
      [this] {
        if (pool_) pool_->notify();
      },
      wake_outbox);
  if (runs_workers()) {
    jobs::RetryPolicy policy;
    policy.max_retries = env_.config.queue_max_retries;
    policy.base = std::chrono::milliseconds(int64_t{env_.config.queue_retry_delay_s} * 1000);
    actions_ = std::make_unique<jobs::ChatActions>(env_.sender);
    runner_ = std::make_unique<jobs::JobRunner>(env_, policy, *actions_, wake_outbox);
  }
}

BotService::~BotService() { stop(std::chrono::steady_clock::now()); }

bool BotService::runs_intake() const { return env_.config.bot_role != "worker"; }
bool BotService::runs_workers() const { return env_.config.bot_role != "ingest"; }

void BotService::start() {
  // A group that became a supergroup keeps its /lang and /mode under the new chat id.
  env_.sender.set_migration_callback([this](int64_t from, int64_t to) {
    try {
      env_.settings.put(to, env_.settings.get(from));
    } catch (const std::exception& e) {
      spdlog::warn("bot: moving settings of chat {} to {} failed: {}", from, to, e.what());
    }
  });
  telegram::User me = env_.api.get_me();
  env_.bot_username.set(me.username);
  spdlog::info("bot: running as @{} (role {})", me.username, env_.config.bot_role);

  if (runs_intake() && options_.register_commands) {
    try {
      env_.api.set_my_commands(Commands::menu(Lang::kEn));
      env_.api.set_my_commands(Commands::menu(Lang::kId), "id");
    } catch (const std::exception& e) {
      // The menu is a convenience; commands work without it.
      spdlog::warn("bot: setMyCommands failed: {}", e.what());
    }
  }

  outbox_->start();
  if (runs_workers()) {
    if (!env_.pipeline) throw Error(ErrorKind::kInternal, "worker role needs a pipeline");
    runner_->set_tick(options_.job_tick);
    pool_ = std::make_unique<jobs::WorkerPool>(env_, *runner_, env_.config.queue_max_workers,
                                         options_.instance);
    pool_->set_poll_interval(options_.worker_poll);
    pool_->start();
  }

  if (!runs_intake()) return;
  if (!env_.config.webhook_url.empty()) {
    if (options_.manage_webhook) {
      telegram::WebhookParams w;
      w.url = env_.config.webhook_url;
      w.secret_token = env_.config.webhook_secret;
      w.max_connections = env_.config.webhook_max_connections;
      env_.api.set_webhook(w);
      spdlog::info("bot: webhook set; updates arrive through the webhook server");
    }
    return;
  }
  poller_ = std::make_unique<telegram::Poller>(env_.api, options_.poller);
  poller_thread_ = std::jthread([this](std::stop_token st) {
    try {
      poller_->run(st, [this](const nlohmann::json& u) {
        jobs::metrics::count_polled_update();
        return bot_->handle_update(u);
      });
    } catch (const std::exception& e) {
      spdlog::critical("bot: polling stopped: {}", e.what());
    }
  });
  spdlog::info("bot: long polling started");
}

void BotService::stop(std::chrono::steady_clock::time_point deadline) {
  if (stopped_) return;
  stopped_ = true;
  // Intake first: nothing new is accepted while the workers drain. The poller may sit in a
  // long poll for a while; the workers drain meanwhile rather than after it.
  if (poller_thread_.joinable()) poller_thread_.request_stop();
  if (pool_) pool_->stop(deadline);
  if (poller_thread_.joinable()) poller_thread_.join();
  // Last: what the workers and intake wrote until now goes out until the deadline; the rest
  // stays in the outbox for the next start.
  if (outbox_) outbox_->stop(deadline);
  spdlog::info("bot: stopped");
}

}  // namespace tgscribe::bot
