#include "app/metric_catalog.h"

#include <algorithm>

#include "common/error.h"
#include "common/metrics.h"
#include "jobs/usage_recorder.h"

namespace tgscribe::app {
namespace {

using metrics::Registry;

// Error kinds an engine request can fail with (common/error.h; kCancelled is never counted).
const std::vector<ErrorKind> kEngineErrorKinds = {
    ErrorKind::kNetwork, ErrorKind::kTimeout, ErrorKind::kRateLimited,  ErrorKind::kServer,
    ErrorKind::kClient,  ErrorKind::kAuth,    ErrorKind::kInvalidInput, ErrorKind::kInternal};

void touch_each(Registry& r, const std::string& name, const std::string& label,
                const std::vector<std::string>& values) {
  for (const auto& v : values) r.touch(name, {{label, v}});
}

}  // namespace

std::vector<std::string> configured_engines(const config::Config& config) {
  std::vector<std::string> out;
  auto add = [&out](std::string name) {
    if (name == "auto" || name.empty()) return;
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
  };
  add(config.primary_engine() == "auto" ? "sphinx" : config.primary_engine());
  for (const auto& f : config.transcriber_fallback) add(f);
  return out;
}

void declare_bot_metrics(const config::Config& config) {
  Registry& r = Registry::global();
  // The texts are the ones the modules describe their families with (jobs/job_metrics.cc,
  // server/, store/tiered_cache.cc, pipeline/result_cache.cc): whichever runs last, the
  // same words.

  // Intake (jobs/job_metrics.cc, server/webhook_server.cc).
  r.describe("updates_total", "counter", "Telegram updates received, by source");
  touch_each(r, "updates_total", "source", {"polling", "webhook"});
  r.describe("updates_handled_total", "counter", "Updates handled by the bot, by result");
  touch_each(r, "updates_handled_total", "result",
             {"handled", "malformed", "duplicate", "ignored", "denied", "backlog", "error"});
  // Taps on the buttons under a transcript (bot/update_router.cc): answerCallbackQuery's outcome.
  r.describe("callback_answers_total", "counter",
             "Callback queries (button taps) answered, by result (failed: e.g. query too old)");
  touch_each(r, "callback_answers_total", "result", {"answered", "failed"});
  r.describe("webhook_requests_total", "counter", "Webhook HTTP answers, by status code");
  // Every status the webhook server answers with (server/webhook_server.cc).
  touch_each(r, "webhook_requests_total", "code",
             {"200", "400", "401", "404", "405", "411", "413", "500"});
  r.describe("webhook_rejected_total", "counter",
             "Webhook requests refused before reaching the bot, by reason");
  touch_each(r, "webhook_rejected_total", "reason",
             {"path", "method", "secret", "length", "too_large", "truncated", "malformed",
              "intake_failed"});
  r.describe("http_connections_refused_total", "counter",
             "Connections closed before their request reached a handler, by listener and reason");

  // Jobs (jobs/job_metrics.cc).
  r.describe("jobs_total", "counter", "Transcription jobs by outcome");
  touch_each(
      r, "jobs_total", "state",
      {"queued", "refused", "cached", "delivered", "failed", "retried", "cancelled", "paced"});
  r.describe("queue_depth", "gauge", "Jobs waiting in the queue");
  r.touch("queue_depth");
  r.describe("job_wait_seconds", "histogram", "Time from acceptance to a worker claiming",
             {0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600});
  r.touch("job_wait_seconds");
  r.describe("job_duration_seconds", "histogram",
             "Time a worker spent on a job (download to delivery)",
             {1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600});
  r.touch("job_duration_seconds");
  r.describe("outbox_messages_total", "counter",
             "Outbox entries (messages, documents, edits) by what happened to them");
  touch_each(r, "outbox_messages_total", "result", {"sent", "retried", "dropped"});
  r.describe("outbox_pending", "gauge", "Outbox entries not yet sent");
  r.touch("outbox_pending");

  // Text model (engine/chat_completions_client.cc, engine/retrying_text_model.cc).
  // Declared whether or not a text model is configured: the dashboard queries it. Its series
  // name the provider, so they exist only when there is one.
  r.describe("llm_tokens_total", "counter",
             "Text-model tokens as the endpoint counted them, by provider and kind");
  if (auto llm = config.llm_endpoint()) {
    r.describe("llm_requests_total", "counter", "Answered chat-completion requests, by provider");
    r.touch("llm_requests_total", {{"provider", llm->provider}});
    for (const char* kind : {"prompt", "completion"}) {
      r.touch("llm_tokens_total", {{"provider", llm->provider}, {"kind", kind}});
    }
    r.describe("llm_errors_total", "counter",
               "Failed text-model requests (retried or not), by provider and error kind");
  }
  // Engines (jobs/job_runner.cc, engine/retrying_transcriber.cc, engine/fallback_chain.cc).
  const auto engines = configured_engines(config);
  r.describe("audio_seconds_total", "counter", "Seconds of media transcribed, by engine");
  touch_each(r, "audio_seconds_total", "engine", engines);
  r.describe("engine_errors_total", "counter",
             "Failed engine requests (retried or not), by engine and error kind");
  r.describe("engine_jobs_total", "counter",
             "Transcriptions by the engine that answered or failed them, and the result");
  for (const auto& e : engines) {
    r.touch("engine_jobs_total", {{"engine", e}, {"result", "ok"}});
    for (ErrorKind k : kEngineErrorKinds) {
      r.touch("engine_errors_total", {{"engine", e}, {"kind", to_string(k)}});
      r.touch("engine_jobs_total", {{"engine", e}, {"result", to_string(k)}});
    }
  }

  // Pacing to the engines' rate limits (engine/pacer.cc).
  r.describe("engine_pacing_wait_seconds_total", "counter",
             "Seconds requests waited for their engine's rate budget, by engine");
  r.describe("engine_pacing_deferred_total", "counter",
             "Requests whose wait for the rate budget was too long: their job went back to the "
             "queue, by engine");
  touch_each(r, "engine_pacing_wait_seconds_total", "engine", engines);
  touch_each(r, "engine_pacing_deferred_total", "engine", engines);

  // Cache (store/tiered_cache.cc, pipeline/result_cache.cc).
  r.describe("cache_requests_total", "counter", "Transcript cache lookups by key kind and result.");
  for (const char* key : {"file", "content"}) {
    for (const char* result : {"hit", "miss"}) {
      r.touch("cache_requests_total", {{"key", key}, {"result", result}});
    }
  }
  r.describe("cache_errors_total", "counter",
             "Transcript cache operations that failed and were skipped (the job went on), by op");
  touch_each(r, "cache_errors_total", "op", {"sha_for_file", "get", "put_file", "put"});

  // Telegram (telegram/bot_api.cc, sender.cc, poller.cc). The API errors' `code` is whatever
  // Telegram answers: that family has no series until the first error.
  r.describe("telegram_api_errors_total", "counter",
             "Failed Bot API calls, by method and error code (\"network\": no answer)");
  r.describe("telegram_rate_limited_total", "counter",
             "Bot API calls answered 429 (flood control), by method");
  touch_each(r, "telegram_rate_limited_total", "method",
             {"sendMessage", "editMessageText", "sendDocument"});
  r.describe("telegram_poll_conflicts_total", "counter",
             "getUpdates answered 409: another poller or a webhook uses the token");
  r.touch("telegram_poll_conflicts_total");

  // Usage, cost and quotas: described, with their series, by the recorder itself.
  jobs::UsageRecorder::describe_metrics(config);

  // Process (server/ops_server.cc sets them; declared here so a worker shows them the same).
  r.describe("build_info", "gauge", "Always 1; the labels say which build runs");
  r.describe("process_start_time_seconds", "gauge", "Unix time the process started");
  r.describe("uptime_seconds", "gauge", "Seconds since the process started");
  r.describe("process_resident_memory_bytes", "gauge", "Resident memory size");
  r.describe("process_open_fds", "gauge", "Open file descriptors");
}

}  // namespace tgscribe::app
