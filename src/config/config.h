#pragma once
// The one Config struct: every option of the contract (and a few of our own, all documented
// in docs/configuration.md), loaded by config_loader.h.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tgscribe::config {

// The text model's endpoint as resolved from the LLM_* options and the engine keys.
struct LlmEndpoint {
  std::string provider;  // "groq", "openai" (by the URL's host) or "custom"
  std::string url;       // base URL, before /chat/completions
  std::string api_key;   // may be empty (self-hosted servers)
  std::string model;     // "" only for a custom server without LLM_MODEL (a config error)
  int64_t context_tokens = 0;
};

struct Config {
  // Telegram
  std::string telegram_bot_token;
  std::string telegram_api_url = "https://api.telegram.org";
  bool telegram_local_mode = false;
  int64_t telegram_download_limit_bytes = 20'000'000;  // cloud Bot API getFile limit
  double telegram_global_rate = 30;  // outbound messages per second over all chats

  // Engines
  std::string transcriber = "auto";  // auto|groq|openai|deepgram|sphinx
  std::vector<std::string> transcriber_fallback;
  std::string groq_api_key, groq_api_url = "https://api.groq.com/openai/v1",
                            groq_model = "whisper-large-v3-turbo";
  std::string openai_api_key, openai_api_url = "https://api.openai.com/v1",
                              openai_model = "whisper-1";
  std::string deepgram_api_key, deepgram_api_url = "https://api.deepgram.com",
                                deepgram_model = "nova-3";
  std::string sphinx_model_dir = "/usr/share/pocketsphinx/model/en-us";
  std::optional<double> api_max_upload_mb;  // unset: per engine (groq 25, openai 25, deepgram 2000)
  int engine_concurrency = 4;               // parallel chunk requests per engine
  int engine_timeout_s = 300;               // one engine request
  int engine_max_retries = 3;               // per request, before the fallback chain
  // Engine rate limits the pacer keeps inside (0 = no limit): requests per minute and billed
  // audio seconds per hour, per engine; the defaults are Groq's free tier (docs/configuration.md).
  int groq_rpm = 20, openai_rpm = 0, deepgram_rpm = 0;
  int64_t groq_audio_seconds_per_hour = 7200, openai_audio_seconds_per_hour = 0,
          deepgram_audio_seconds_per_hour = 0;
  int pacing_max_wait_s = 60;  // longer waits for the engine's budget go back to the queue

  // Text model for summaries and translations (docs/configuration.md "Summaries and
  // translation"); the endpoint in use is llm_endpoint().
  std::string llm_api_url;         // "" = auto (Groq, else OpenAI, by keys set); "off" = none
  std::string llm_api_key;         // "" = the matching engine key (Groq's or OpenAI's)
  std::string llm_model;           // "" = the provider's default
  int64_t llm_context_tokens = 0;  // prompt + answer; 0 = the provider's default
  int llm_timeout_s = 120;         // one chat-completions request

  std::string language = "auto";
  std::vector<std::string> output_formats = {"txt", "srt"};
  int message_file_threshold = 12000;  // chars; longer transcripts: preview + .txt

  // Cache
  bool cache_enabled = true;
  std::string cache_type = "sqlite";  // memory|sqlite|redis
  int cache_max_size = 100;
  int64_t cache_ttl_s = 604800;

  // Queue
  std::string queue_type = "sqlite";  // memory|sqlite|redis
  int queue_max_workers = 5;
  int queue_max_retries = 2;
  int queue_retry_delay_s = 5;
  int queue_rate_limit_per_user = 3;
  int queue_admin_boost = 1000;  // priority points admins jump ahead by
  int queue_lease_s = 30;        // a running job not heartbeated for this long is resumed
  int outbox_senders = 8;        // outbox dispatcher threads (chats sent to in parallel)

  std::string redis_url = "redis://127.0.0.1:6379/0";
  std::string data_dir = "./data";

  // Audio
  int audio_target_sample_rate = 16000;
  int audio_target_channels = 1;
  int audio_target_bitrate = 96000;  // bits/s, upper bound
  double audio_compression_threshold_mb = 30;
  // Long media (>= 3 min): long silences are cut out before upload and timestamps mapped
  // back (auto), or sent as they are (off: less CPU, more billed seconds).
  bool skip_silence = true;  // SKIP_SILENCE=auto|off
  double max_file_size_mb = 2000;
  double max_duration_s = 14400;

  // Webhook / HTTP
  std::string webhook_url;
  std::string webhook_secret;
  std::string webhook_listen = "0.0.0.0:8443";
  int webhook_max_connections = 40;
  int64_t webhook_max_body_bytes = 4'000'000;
  std::string http_listen = "127.0.0.1:9090";

  std::string bot_role = "all";  // all|ingest|worker
  std::vector<int64_t> allowed_user_ids;
  std::vector<int64_t> allowed_chat_ids;
  std::vector<int64_t> admin_user_ids;
  int status_edit_interval_s = 3;
  // The status reply of a job a free worker takes at once is due this long after admission;
  // a job that ends before then drops it and its transcript is the first reply. 2 s: a voice note
  // at an idle bot (download, one engine call) is answered in about 1 s, so it gets one message
  // instead of three (status, transcript, final edit), and two fewer of Telegram's 30 messages/s go
  // to it; meanwhile the worker's "typing…" shows from the claim on. Longer waits without a word
  // feel broken.
  int status_delay_ms = 2000;
  // Updates older than this when first seen (after downtime) are not acted on: a media
  // message gets a short apology, anything else is skipped. 0: off.
  int backlog_max_age_s = 3600;
  int shutdown_timeout_s = 25;
  int transfer_stall_s = 30;         // media moving < 1 KB/s this long: stalled (0 = off)
  int transfer_min_rate_kbps = 100;  // media transfer deadline: 60 s + size at this rate

  std::string log_level = "info";
  std::string log_file;
  std::string log_format = "text";  // "text" (journald-friendly) or "json" (one object a line)

  // Usage, cost and quotas (docs/configuration.md "Usage, cost and quotas")
  double engine_price_groq = 0.04;       // USD per audio hour (whisper-large-v3-turbo)
  double engine_price_openai = 0.36;     // USD per audio hour (whisper-1: $0.006/min)
  double engine_price_deepgram = 0.258;  // USD per audio hour (nova-3: $0.0043/min)
  double quota_user_daily_min = 0;       // audio minutes per user per UTC day; 0 = no limit
  double quota_global_daily_min = 0;     // audio minutes for everyone per UTC day; 0 = no limit
  int usage_retention_days = 90;         // per-day usage records older than this are pruned

  // The engine TRANSCRIBER=auto resolves to (groq > openai > deepgram > sphinx by keys set).
  std::string primary_engine() const;
  // The chat-completions endpoint summaries and translations use; nullopt: none (off).
  std::optional<LlmEndpoint> llm_endpoint() const;
  // Largest request body for the engine, in bytes (API_MAX_UPLOAD_MB or the engine default).
  int64_t max_upload_bytes(const std::string& engine) const;
  // What BOT_ROLE gives this instance to do, asked here only (app wiring, BotService, doctor):
  // intake takes updates (polling or the webhook) in roles all and ingest; workers transcribe
  // queued jobs in roles all and worker. The outbox dispatcher runs in every role.
  bool runs_intake() const { return bot_role != "worker"; }
  bool runs_workers() const { return bot_role != "ingest"; }

  // Member by member; the option table's tests compare whole configs.
  bool operator==(const Config&) const = default;
};

}  // namespace tgscribe::config
