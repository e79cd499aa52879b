#include "app/bot_subcommand.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <stop_token>

#include "app/metric_catalog.h"
#include "app/signals.h"
#include "bot/bot_env.h"
#include "bot/bot_service.h"
#include "common/error.h"
#include "common/log.h"
#include "common/metrics.h"
#include "engine/engine_factory.h"
#include "engine/metered_transcriber.h"
#include "engine/pacer.h"
#include "engine/text_model_factory.h"
#include "http/curl_http_client.h"
#include "jobs/usage_recorder.h"
#include "pipeline/result_cache.h"
#include "pipeline/transcription_service.h"
#include "server/listen_address.h"
#include "server/ops_server.h"
#include "server/webhook_server.h"
#include "store/cache_breaker.h"
#include "store/inflight.h"
#include "store/store_factory.h"
#include "telegram/bot_api.h"
#include "telegram/sender.h"

#ifndef TGSCRIBE_VERSION
#define TGSCRIBE_VERSION "dev"
#endif

namespace tgscribe::app {
namespace {

// What /readyz checks: can this instance do its work? The stores of the job's durable path
// (update log, queue, outbox) answer; intake (polling or the webhook listener) runs, in the
// roles that take updates; an engine is set up, in the roles that run workers. The cache is
// shown but optional: without it jobs go on (ResultCache counts the errors). Each probe runs
// in the background (server::BackgroundReadiness) so /readyz stays fast when Redis hangs.
std::vector<server::ReadinessProbeSpec> readiness_probes(const config::Config& config,
                                                         store::Stores& stores,
                                                         bot::BotService& bot, bool has_engine,
                                                         const std::atomic<int>& webhook_port) {
  using server::ProbeResult;
  auto store_probe = [](auto* s, const char* what) {
    return [s, what] {
      return s->healthy() ? ProbeResult{}
                          : ProbeResult{false, std::string(what) + " does not answer"};
    };
  };
  std::vector<server::ReadinessProbeSpec> probes;
  const bool intake = config.runs_intake();
  const bool workers = config.runs_workers();
  if (intake)
    probes.push_back({"updates", true, store_probe(stores.updates.get(), "the update log")});
  probes.push_back({"queue", true, store_probe(stores.queue.get(), "the job queue")});
  probes.push_back({"outbox", true, store_probe(stores.outbox.get(), "the outbox")});
  if (intake) {
    const bool webhook = !config.webhook_url.empty();
    probes.push_back(
        {"intake", true, [&bot, &config, &webhook_port, webhook] {
           bot::IntakeHealth h = bot.intake_health();
           if (!h.ok || !webhook) return ProbeResult{h.ok, h.detail};
           int port = webhook_port.load();
           auto address = server::parse_listen_address(config.webhook_listen);
           if (port > 0) address.port = port;
           if (port <= 0 || !server::accepts_connections(address, std::chrono::seconds(2))) {
             return ProbeResult{false, "the webhook listener on " + address.to_string() +
                                           " accepts no connections"};
           }
           return ProbeResult{true, "webhook"};
         }});
  }
  if (workers) {
    probes.push_back(
        {"engine", true, [has_engine] {
           return has_engine ? ProbeResult{} : ProbeResult{false, "no transcription engine"};
         }});
  }
  if (stores.cache) {
    probes.push_back({"cache", false, [&stores] {
                        return stores.cache->healthy()
                                   ? ProbeResult{}
                                   : ProbeResult{false, "jobs go on without it"};
                      }});
  }
  return probes;
}

}  // namespace

int run_bot(const config::Config& config) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);

  // First, so that it outlives every destructor below: SIGTERM ends the process within
  // SHUTDOWN_TIMEOUT_S + 1 s whatever gets stuck, also during start.
  std::optional<ShutdownWatchdog> watchdog;
  ShutdownSignals signals(
      [&config] { init_logging(config.log_level, config.log_file, config.log_format); });
  // Before anything counts and before /metrics answers: every series exists from the first
  // scrape, in every mode and role (app/metric_catalog.h).
  declare_bot_metrics(config);

  auto http = std::make_shared<http::CurlHttpClient>();
  // Armed by the first SIGTERM/SIGINT wherever the main thread is. The workers give up their
  // jobs at the deadline (their transfers watch the job's stop flag); a little later whatever
  // is still on the wire (an outbox send, a status edit) is aborted, and a little later still
  // the process exits regardless.
  std::stop_callback arm_watchdog(signals.stop_token(), [&watchdog, &config, http] {
    using std::chrono::milliseconds;
    auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(config.shutdown_timeout_s);
    watchdog.emplace(
        deadline + milliseconds(250), [http] { http->abort_all(); }, milliseconds(500));
  });
  telegram::BotApiOptions api_options;
  api_options.api_url = config.telegram_api_url;
  api_options.token = config.telegram_bot_token;
  api_options.local_mode = config.telegram_local_mode;
  api_options.transfers.stall = {config.transfer_stall_s > 0 ? 1'000 : 0,
                                 std::chrono::seconds(config.transfer_stall_s)};
  api_options.transfers.min_rate_bytes_per_s = int64_t{config.transfer_min_rate_kbps} * 1000;
  api_options.max_download_bytes = config.telegram_download_limit_bytes;
  telegram::BotApi api(api_options, *http);
  telegram::SenderOptions sender_options;
  sender_options.limits.global_per_second = config.telegram_global_rate;
  sender_options.limits.global_burst = std::max(1.0, config.telegram_global_rate);
  telegram::Sender sender(api, sender_options);

  store::Stores stores;
  try {
    stores = store::make_stores(config);
  } catch (const std::exception& e) {
    spdlog::error("cannot open the stores: {}", e.what());
    return 2;
  }
  // The cache is an optimisation: a failing cache store is bypassed at once (and retried every
  // 30 s) rather than making intake and every worker wait out its reconnect deadline.
  if (stores.cache) stores.cache = std::make_unique<store::CacheBreaker>(std::move(stores.cache));
  // Engine usage per user and day (/usage, /stats, quotas): every answered engine request
  // and every cache answer is booked here, in every role (an ingest instance books the
  // cache answers it gives at intake).
  std::unique_ptr<jobs::UsageRecorder> usage;
  if (stores.usage) {
    usage = std::make_unique<jobs::UsageRecorder>(config, *stores.usage);
    usage->prune();
  }

  const bool runs_workers = config.runs_workers();
  std::vector<std::shared_ptr<engine::Transcriber>> chain;
  std::unique_ptr<pipeline::TranscriptionService> service;
  if (runs_workers) {
    try {
      chain = engine::make_engine_chain(config, http, stores.rate_budget);
      if (usage) chain = engine::metered(std::move(chain), config, *usage);
    } catch (const std::exception& e) {
      spdlog::error("cannot set up the transcription engine: {}", e.what());
      return 2;
    }
    service = std::make_unique<pipeline::TranscriptionService>(config, chain, stores.cache.get(),
                                                               stores.inflight.get());
    std::string names;
    for (const auto& e : chain) names += (names.empty() ? "" : " -> ") + e->caps().name;
    spdlog::info("engines: {}", names);
  }

  // File-key answers at intake need no engine: an ingest-only instance has them too.
  std::unique_ptr<pipeline::ResultCache> results;
  if (stores.cache) results = std::make_unique<pipeline::ResultCache>(config, stores.cache.get());
  bot::BotEnv env{config,
                  api,
                  sender,
                  *stores.updates,
                  *stores.queue,
                  *stores.outbox,
                  stores.cache.get(),
                  *stores.settings,
                  results.get(),
                  service.get()};
  // The primary engine's pacer, for the status message's ETA: the same limits and budget
  // as the engine's own (engine_factory.cc), so it sees the same line.
  std::unique_ptr<engine::Pacer> pacer;
  if (!chain.empty() && chain.front()->caps().uploads) {
    const auto& caps = chain.front()->caps();
    pacer = std::make_unique<engine::Pacer>(
        engine::pacer_limits(config, caps.name, caps.min_billed_s), stores.rate_budget);
    env.pacer = pacer.get();
  }
  env.usage = stores.usage.get();
  env.usage_recorder = usage.get();
  // The text model for summaries and translations (LLM_*); none: those buttons are not shown.
  std::unique_ptr<engine::TextModel> text_model;
  try {
    text_model = engine::make_text_model(config, http);
  } catch (const std::exception& e) {
    spdlog::error("cannot set up the text model (LLM_*): {}", e.what());
    return 2;
  }
  if (text_model) {
    spdlog::info("text model: {} ({}) for summaries and translations", text_model->model(),
                 text_model->provider());
  }
  env.text_model = text_model.get();
  bot::BotService bot_service(env);

  // A token refused while running (the poller's getUpdates, the outbox) ends the process
  // with exit code 2 after a graceful stop, so that a supervisor notices.
  std::atomic<int> exit_code{0};
  bot_service.set_fatal_handler([&exit_code, &signals](const std::string&) {
    exit_code = 2;
    signals.request_stop();
  });
  std::atomic<int> webhook_port{0};
  server::BackgroundReadiness readiness(
      readiness_probes(config, stores, bot_service, !runs_workers || !chain.empty(), webhook_port));
  std::stop_callback stop_probes(signals.stop_token(), [&readiness] { readiness.request_stop(); });
  std::unique_ptr<server::OpsServer> ops;
  std::unique_ptr<server::WebhookServer> webhook;
  try {
    ops = std::make_unique<server::OpsServer>(
        server::OpsOptions::from_config(config, TGSCRIBE_VERSION),
        [&readiness] { return readiness.check(); });
    ops->start();
    spdlog::info("health and metrics on http://{}/ (healthz, readyz, metrics)", config.http_listen);
    if (!config.webhook_url.empty() && config.runs_intake()) {
      webhook = std::make_unique<server::WebhookServer>(
          server::WebhookOptions::from_config(config),
          [&bot_service](const nlohmann::json& u) { return bot_service.handle_update(u); });
      webhook->start();
      webhook_port = webhook->port();
    }
    spdlog::info("tgscribe {} starting: role {}, {} mode, queue {}, cache {}", TGSCRIBE_VERSION,
                 config.bot_role, config.webhook_url.empty() ? "long polling" : "webhook",
                 config.queue_type, config.cache_enabled ? config.cache_type : "off");
    // Retries what fails for a while (Telegram unreachable at boot) until SIGTERM.
    bot_service.start(signals.stop_token());
  } catch (const std::exception& e) {
    // A refused token says so itself (bot::TokenRejected); anything else failed to start.
    bool token = dynamic_cast<const bot::TokenRejected*>(&e) != nullptr;
    spdlog::error("{}{}", token ? "" : "cannot start: ", e.what());
    if (webhook) webhook->stop();
    if (ops) ops->stop();
    bot_service.stop(std::chrono::steady_clock::now());
    return 2;
  }

  signals.wait();
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(config.shutdown_timeout_s);
  spdlog::info("shutting down: finishing running jobs for up to {} s", config.shutdown_timeout_s);
  if (webhook) webhook->stop();
  bot_service.stop(deadline);
  if (ops) ops->stop();
  spdlog::info("stopped");
  if (exit_code != 0) {
    spdlog::error("exiting with code {}: the bot token was rejected by Telegram (401)",
                  exit_code.load());
  }
  return exit_code;
}

}  // namespace tgscribe::app
