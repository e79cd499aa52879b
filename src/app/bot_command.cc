#include "app/bot_command.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <memory>

#include "app/signals.h"
#include "bot/bot_env.h"
#include "bot/bot_service.h"
#include "common/error.h"
#include "common/log.h"
#include "common/metrics.h"
#include "engine/engine_factory.h"
#include "http/curl_http_client.h"
#include "pipeline/result_cache.h"
#include "pipeline/transcription_service.h"
#include "server/ops_server.h"
#include "server/webhook_server.h"
#include "store/inflight.h"
#include "store/store_factory.h"
#include "telegram/bot_api.h"
#include "telegram/sender.h"

#ifndef TGSCRIBE_VERSION
#define TGSCRIBE_VERSION "dev"
#endif

namespace tgscribe::app {
namespace {

// Readiness is probed in the background so /readyz stays fast even when Redis hangs.
class ReadinessProbe {
 public:
  ReadinessProbe(store::Stores& stores, bool has_engine) : stores_(stores), engine_(has_engine) {}
  server::Readiness check() {
    server::Readiness r;
    auto line = [&](const char* what, bool ok) {
      r.details += std::string(what) + (ok ? ": ok\n" : ": FAILED\n");
      r.ok = r.ok && ok;
    };
    line("queue", stores_.queue->healthy());
    line("outbox", stores_.outbox->healthy());
    if (stores_.cache) line("cache", stores_.cache->healthy());
    line("engine", engine_);
    return r;
  }

 private:
  store::Stores& stores_;
  bool engine_;
};

}  // namespace

int run_bot(const config::Config& config) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);

  ShutdownSignals signals([&config] { init_logging(config.log_level, config.log_file); });

  auto http = std::make_shared<http::CurlHttpClient>();
  telegram::BotApiOptions api_options;
  api_options.api_url = config.telegram_api_url;
  api_options.token = config.telegram_bot_token;
  api_options.local_mode = config.telegram_local_mode;
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

  const bool runs_workers = config.bot_role != "ingest";
  std::vector<std::shared_ptr<engine::Transcriber>> chain;
  std::unique_ptr<pipeline::TranscriptionService> service;
  if (runs_workers) {
    try {
      chain = engine::make_engine_chain(config, http);
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
  bot::BotEnv env{config,           api,          sender,   *stores.updates,   *stores.queue,
                  *stores.outbox,   stores.cache.get(),     *stores.settings, results.get(),
                  service.get()};
  bot::BotService bot_service(env);

  ReadinessProbe readiness(stores, !runs_workers || !chain.empty());
  std::unique_ptr<server::OpsServer> ops;
  std::unique_ptr<server::WebhookServer> webhook;
  try {
    ops = std::make_unique<server::OpsServer>(
        server::OpsOptions::from_config(config, TGSCRIBE_VERSION),
        [&readiness] { return readiness.check(); });
    ops->start();
    spdlog::info("health and metrics on http://{}/ (healthz, readyz, metrics)", config.http_listen);
    if (!config.webhook_url.empty() && config.bot_role != "worker") {
      webhook = std::make_unique<server::WebhookServer>(
          server::WebhookOptions::from_config(config),
          [&bot_service](const nlohmann::json& u) { return bot_service.handle_update(u); });
      webhook->start();
    }
    spdlog::info("tgscribe {} starting: role {}, {} mode, queue {}, cache {}", TGSCRIBE_VERSION,
                 config.bot_role, config.webhook_url.empty() ? "long polling" : "webhook",
                 config.queue_type, config.cache_enabled ? config.cache_type : "off");
    bot_service.start();
  } catch (const std::exception& e) {
    spdlog::error("cannot start: {}", e.what());
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
  return 0;
}

}  // namespace tgscribe::app
