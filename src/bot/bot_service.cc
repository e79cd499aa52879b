#include "bot/bot_service.h"

#include <spdlog/spdlog.h>

#include "bot/command_handlers.h"
#include "common/backoff.h"
#include "jobs/instance_id.h"
#include "jobs/job_metrics.h"

namespace tgscribe::bot {
namespace {

using std::chrono::milliseconds;

// 401, or 404 for getMe and the other token-addressed calls: only an operator can fix it.
bool token_refused(const telegram::ApiError& e) {
  return e.is_unauthorized() || e.error_code() == 404;
}

std::string token_line(const telegram::ApiError& e) {
  // ApiError's text names the method and Telegram's words, and is redacted; the token is
  // never part of it.
  if (e.error_code() == 404) {
    return "Telegram does not know this bot (404): " + std::string(e.what()) +
           ". TELEGRAM_BOT_TOKEN is malformed, or TELEGRAM_API_URL is not a Bot API server";
  }
  return "the bot token was rejected by Telegram (401): " + std::string(e.what()) +
         ". It was revoked or mistyped: set TELEGRAM_BOT_TOKEN to the token @BotFather gives";
}

// Sleeps `d` in slices; false when `stop` was requested meanwhile.
bool sleep_unless_stopped(const std::stop_token& stop, milliseconds d) {
  const milliseconds slice(100);
  while (d.count() > 0 && !stop.stop_requested()) {
    auto step = std::min(d, slice);
    std::this_thread::sleep_for(step);
    d -= step;
  }
  return !stop.stop_requested();
}

}  // namespace

TokenRejected::TokenRejected(const telegram::ApiError& e)
    : Error(ErrorKind::kAuth, token_line(e)) {}

BotService::BotService(BotEnv& env, BotServiceOptions options)
    : env_(env), options_(std::move(options)) {
  if (options_.instance.empty()) options_.instance = jobs::instance_id(env_.config.data_dir);
  options_.outbox.senders = env_.config.outbox_senders;
  options_.outbox.on_token_refused = [this](const std::string& error) {
    // Reported once: every sender thread may see the same 401.
    if (token_reported_.exchange(true)) return;
    std::string line = "the bot token was rejected by Telegram (401): " + error +
                       ". It was revoked or mistyped: set TELEGRAM_BOT_TOKEN to the token "
                       "@BotFather gives";
    spdlog::critical("bot: {}", line);
    if (on_fatal_) on_fatal_(line);
  };
  outbox_ = std::make_unique<jobs::OutboxDispatcher>(env_, options_.instance, options_.outbox);
  auto wake_outbox = [this] { outbox_->notify(); };
  router_ = std::make_unique<UpdateRouter>(
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

// Runs one startup call until it succeeds: transient failures (network, 5xx, 429, timeouts)
// are retried with a growing backoff, so a Telegram hiccup at boot is not reported as a
// configuration error; a refused token throws TokenRejected, any other refusal is thrown as
// it is. Returns false when `stop` was requested first.
template <typename Fn>
static bool retry_startup_call(const char* what, const std::stop_token& stop,
                               const BotServiceOptions& options, Fn&& fn) {
  milliseconds backoff = options.start_backoff_initial;
  while (!stop.stop_requested()) {
    try {
      fn();
      return true;
    } catch (const telegram::ApiError& e) {
      if (token_refused(e)) throw TokenRejected(e);
      if (!e.retryable()) throw;
      auto wait = std::max(backoff, e.retry_after().value_or(milliseconds(0)));
      spdlog::warn("bot: {} failed ({}); retrying in {} ms", what, e.what(), wait.count());
      if (!sleep_unless_stopped(stop, wait)) return false;
    } catch (const Error& e) {
      if (!e.retryable()) throw;
      spdlog::warn("bot: {} failed ({}); retrying in {} ms", what, e.what(), backoff.count());
      if (!sleep_unless_stopped(stop, backoff)) return false;
    }
    backoff = next_backoff(backoff, options.start_backoff_max);
  }
  return false;
}

IntakeHealth BotService::intake_health() const {
  if (!runs_intake()) return {true, "not this instance's role"};
  if (!started_) return {false, "starting: waiting for Telegram (getMe)"};
  if (!env_.config.webhook_url.empty()) return {true, "webhook"};
  {
    std::lock_guard lock(intake_mutex_);
    if (!polling_) {
      return {false, "long polling stopped: " +
                         (intake_error_.empty() ? std::string("not running") : intake_error_)};
    }
  }
  // Poller backs off up to 30 s between 409s, so a conflict seen within 45 s is still on.
  int64_t conflict = last_conflict_ns_.load();
  if (conflict != 0 && std::chrono::steady_clock::now().time_since_epoch().count() - conflict <
                           std::chrono::nanoseconds(std::chrono::seconds(45)).count()) {
    return {false,
            "getUpdates answers 409 Conflict: another process polls with this token, or a "
            "webhook is set"};
  }
  return {true, "long polling"};
}

void BotService::start(std::stop_token stop) {
  // A group that became a supergroup keeps its /lang and /mode under the new chat id.
  env_.sender.set_migration_callback([this](int64_t from, int64_t to) {
    try {
      env_.settings.put(to, env_.settings.get(from));
    } catch (const std::exception& e) {
      spdlog::warn("bot: moving settings of chat {} to {} failed: {}", from, to, e.what());
    }
  });
  telegram::User me;
  if (!retry_startup_call("getMe", stop, options_, [&] { me = env_.api.get_me(); })) return;
  env_.bot_username.set(me.username);
  spdlog::info("bot: running as @{} (role {})", me.username, env_.config.bot_role);

  if (runs_intake() && options_.register_commands) {
    try {
      env_.api.set_my_commands(CommandHandlers::menu(Lang::kEn));
      env_.api.set_my_commands(CommandHandlers::menu(Lang::kId), "id");
    } catch (const telegram::ApiError& e) {
      if (token_refused(e)) throw TokenRejected(e);
      // The menu is a convenience; commands work without it.
      spdlog::warn("bot: setMyCommands failed: {}", e.what());
    } catch (const std::exception& e) {
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

  if (!runs_intake()) {
    started_ = true;
    return;
  }
  if (!env_.config.webhook_url.empty()) {
    if (options_.manage_webhook) {
      telegram::WebhookParams w;
      w.url = env_.config.webhook_url;
      w.secret_token = env_.config.webhook_secret;
      w.max_connections = env_.config.webhook_max_connections;
      if (!retry_startup_call("setWebhook", stop, options_, [&] { env_.api.set_webhook(w); })) {
        return;
      }
      spdlog::info("bot: webhook set; updates arrive through the webhook server");
    }
    started_ = true;
    return;
  }
  poller_ = std::make_unique<telegram::Poller>(env_.api, options_.poller);
  poller_->set_conflict_callback([this](const telegram::ApiError&) {
    last_conflict_ns_ = std::chrono::steady_clock::now().time_since_epoch().count();
  });
  polling_ = true;
  started_ = true;
  poller_thread_ = std::jthread([this](std::stop_token st) { poll(st); });
  spdlog::info("bot: long polling started");
}

void BotService::poll(std::stop_token st) {
  auto stopped = [this](const std::string& why) {
    std::lock_guard lock(intake_mutex_);
    polling_ = false;
    intake_error_ = why;
  };
  while (!st.stop_requested()) {
    try {
      {
        std::lock_guard lock(intake_mutex_);
        polling_ = true;
        intake_error_.clear();
      }
      poller_->run(st, [this](const nlohmann::json& u) {
        jobs::metrics::count_polled_update();
        return router_->handle_update(u);
      });
      return;  // stop requested
    } catch (const telegram::ApiError& e) {
      if (st.stop_requested()) return;
      if (token_refused(e)) {
        // A token revoked while the bot runs: polling again cannot help, and a process that
        // lives on without intake looks healthy to its supervisor. Exit non-zero instead.
        std::string line = token_line(e);
        stopped(line);
        if (!token_reported_.exchange(true)) {
          spdlog::critical("bot: {}", line);
          if (on_fatal_) on_fatal_(line);
        }
        return;
      }
      stopped(e.what());
      spdlog::critical("bot: polling stopped: {}; restarting it in {} ms", e.what(),
                       options_.poller_restart.count());
    } catch (const std::exception& e) {
      stopped(e.what());
      spdlog::critical("bot: polling stopped: {}; restarting it in {} ms", e.what(),
                       options_.poller_restart.count());
    }
    if (!sleep_unless_stopped(st, options_.poller_restart)) return;
  }
}

void BotService::stop(std::chrono::steady_clock::time_point deadline) {
  if (stopped_) return;
  stopped_ = true;
  // Intake first: nothing new is accepted while the workers drain. The stop request cuts the
  // poller's long poll short (its getUpdates watches the stop token), so the join below is
  // quick; the workers drain meanwhile. At the deadline the workers' jobs stop at their next
  // safe point, in-flight transfers included (the job's stop flag reaches libcurl).
  if (poller_thread_.joinable()) poller_thread_.request_stop();
  if (pool_) pool_->stop(deadline);
  if (poller_thread_.joinable()) poller_thread_.join();
  // Last: what the workers and intake wrote until now goes out until the deadline; the rest
  // stays in the outbox for the next start.
  if (outbox_) outbox_->stop(deadline);
  spdlog::info("bot: stopped");
}

}  // namespace tgscribe::bot
