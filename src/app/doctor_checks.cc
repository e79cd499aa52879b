#include "app/doctor_checks.h"

#include <fmt/format.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <span>

#include "common/error.h"
#include "common/json_fields.h"
#include "common/redact.h"
#include "common/strings.h"
#include "engine/engine_factory.h"
#include "engine/sphinx_transcriber.h"
#include "http/curl_http_client.h"
#include "media/audio_encoder.h"
#include "media/codec_support.h"
#include "media/media_info.h"
#include "media/media_source.h"
#include "store/redis/redis_connection.h"
#include "store/store_factory.h"
#include "telegram/bot_api.h"

namespace tgscribe::app::doctor {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string human_bytes(uint64_t bytes) {
  if (bytes >= 1'000'000'000) return fmt::format("{:.1f} GB", bytes / 1e9);
  if (bytes >= 1'000'000) return fmt::format("{:.0f} MB", bytes / 1e6);
  return fmt::format("{:.0f} kB", bytes / 1e3);
}

// A path for an SQLite "file:" URI: everything but unreserved characters and '/' escaped.
std::string uri_path(const std::string& path) {
  std::string out;
  for (unsigned char ch : path) {
    if (std::isalnum(ch) || ch == '/' || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out.push_back(static_cast<char>(ch));
    } else {
      out += fmt::format("%{:02X}", ch);
    }
  }
  return out;
}

std::string human_age(int64_t seconds) {
  if (seconds < 0) seconds = 0;
  if (seconds < 120) return fmt::format("{} s", seconds);
  if (seconds < 7200) return fmt::format("{} min", seconds / 60);
  if (seconds < 172800) return fmt::format("{} h", seconds / 3600);
  return fmt::format("{} days", seconds / 86400);
}

std::string plural(int64_t n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string to_upper_ascii(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

// The variable holding an engine's key (GROQ_API_KEY), and its base URL.
std::string key_variable(const std::string& engine) { return to_upper_ascii(engine) + "_API_KEY"; }

std::string engine_url(const config::Config& c, const std::string& engine) {
  if (engine == "groq") return c.groq_api_url;
  if (engine == "openai") return c.openai_api_url;
  if (engine == "deepgram") return c.deepgram_api_url;
  return {};
}

// "HTTP 401 Unauthorized" out of "groq /audio/transcriptions: HTTP 401 Unauthorized".
std::string http_status_part(const std::string& what) {
  auto at = what.find("HTTP ");
  return at == std::string::npos ? what : what.substr(at);
}

// 1 s of 16 kHz mono silence as a WAV file: the simplest input the decoder takes, built here
// so doctor needs no sample file on disk.
std::vector<uint8_t> silent_wav(int sample_rate, double seconds) {
  const uint32_t samples = static_cast<uint32_t>(sample_rate * seconds);
  const uint32_t data_bytes = samples * 2;
  std::vector<uint8_t> out;
  auto put = [&](const char* s) { out.insert(out.end(), s, s + 4); };
  auto u32 = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  auto u16 = [&](uint16_t v) {
    out.push_back(static_cast<uint8_t>(v));
    out.push_back(static_cast<uint8_t>(v >> 8));
  };
  put("RIFF");
  u32(36 + data_bytes);
  put("WAVE");
  put("fmt ");
  u32(16);
  u16(1);  // PCM
  u16(1);  // mono
  u32(static_cast<uint32_t>(sample_rate));
  u32(static_cast<uint32_t>(sample_rate) * 2);
  u16(2);
  u16(16);
  put("data");
  u32(data_bytes);
  out.resize(out.size() + data_bytes, 0);
  return out;
}

}  // namespace

// --- checks without I/O ------------------------------------------------------------------

std::vector<CheckResult> check_config(const config::LoadResult& loaded) {
  std::vector<CheckResult> out;
  for (const auto& e : loaded.errors) out.push_back(config_fail("config", e));
  if (!out.empty()) return out;
  const auto& c = loaded.config;
  std::string engines;
  for (const auto& e : configured_engines(c)) engines += (engines.empty() ? "" : " -> ") + e;
  out.push_back(
      ok("config", fmt::format("valid; engine {}; {}; queue {}, cache {}; DATA_DIR {}", engines,
                               c.webhook_url.empty() ? "long polling" : "webhook", c.queue_type,
                               c.cache_enabled ? c.cache_type : "off", c.data_dir)));
  return out;
}

std::string url_host(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return {};
  std::string rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = rest.rfind('@'); at != std::string::npos) rest = rest.substr(at + 1);
  if (!rest.empty() && rest[0] == '[') {
    auto close = rest.find(']');
    return to_lower(rest.substr(1, close == std::string::npos ? std::string::npos : close - 1));
  }
  return to_lower(rest.substr(0, rest.find(':')));
}

CheckResult assess_api_mode(const config::Config& config) {
  const std::string host = url_host(config.telegram_api_url);
  const bool cloud = host == "api.telegram.org";
  const std::string name = "telegram api";
  if (config.telegram_local_mode && cloud) {
    return config_fail(name,
                       "TELEGRAM_LOCAL_MODE=true, but TELEGRAM_API_URL is Telegram's cloud API: "
                       "local mode needs your own Bot API server started with --local (set "
                       "TELEGRAM_API_URL to it, or TELEGRAM_LOCAL_MODE=false)");
  }
  if (!config.telegram_local_mode && !cloud) {
    return warn(name, fmt::format("Bot API server at {} without TELEGRAM_LOCAL_MODE: downloads "
                                  "stop at 20 MB; start telegram-bot-api with --local and set "
                                  "TELEGRAM_LOCAL_MODE=true for files up to 2000 MB",
                                  host.empty() ? config.telegram_api_url : host));
  }
  if (config.telegram_local_mode) {
    return ok(name, fmt::format("local Bot API server at {} in local mode: files up to {:.0f} MB "
                                "are read from its disk",
                                host, std::min(2000.0, config.max_file_size_mb)));
  }
  return ok(name, fmt::format("cloud Bot API (api.telegram.org): downloads up to {:.0f} MB",
                              config.telegram_download_limit_bytes / 1e6));
}

CheckResult assess_webhook(const config::Config& config, const json& info, int64_t now_unix_s) {
  const std::string name = "webhook";
  if (!info.is_object()) return fail(name, "getWebhookInfo answered something unreadable");
  const std::string at_telegram = string_field(info, "url");
  const std::string& wanted = config.webhook_url;
  const std::string waiting =
      plural(integer_field(info, "pending_update_count").value_or(0), "update", "updates") +
      " waiting";

  CheckResult r;
  if (wanted.empty() && at_telegram.empty()) {
    r = ok(name, "long polling, no webhook set at Telegram; " + waiting);
  } else if (wanted.empty()) {
    r = warn(name, fmt::format("long polling (WEBHOOK_URL empty), but Telegram delivers to {}: "
                               "the bot deletes that webhook when it starts; {}",
                               at_telegram, waiting));
  } else if (at_telegram == wanted) {
    r = ok(name, fmt::format("webhook {} set at Telegram; {}", wanted, waiting));
  } else if (at_telegram.empty()) {
    r = warn(name, fmt::format("webhook mode, but no webhook is set at Telegram yet (the bot sets "
                               "{} when it starts); {}",
                               wanted, waiting));
  } else {
    r = warn(name, fmt::format("Telegram delivers to {}, WEBHOOK_URL is {}: the bot sets its own "
                               "when it starts (is another instance using this token?); {}",
                               at_telegram, wanted, waiting));
  }
  // Telegram keeps the last failed delivery to the webhook: the usual sign of a URL that does
  // not reach WEBHOOK_LISTEN (proxy, port, certificate).
  const int64_t last_error_date = integer_field(info, "last_error_date").value_or(0);
  if (!at_telegram.empty() && last_error_date > 0) {
    std::string message = string_field(info, "last_error_message");
    r.status = r.status == Status::kOk ? Status::kWarn : r.status;
    r.detail +=
        fmt::format("; last delivery error {} ago: {}", human_age(now_unix_s - last_error_date),
                    message.empty() ? "(no message)" : message);
  }
  return r;
}

uint64_t wanted_free_bytes(const config::Config& config) {
  const double twice_max = 2 * std::max(0.0, config.max_file_size_mb) * 1e6;
  return static_cast<uint64_t>(std::max(1e9, twice_max));
}

std::string low_space_warning(const config::Config& config, uint64_t available_bytes) {
  const uint64_t wanted = wanted_free_bytes(config);
  if (available_bytes >= wanted) return {};
  return fmt::format(
      "only {} free, want {} (2 x MAX_FILE_SIZE_MB, at least 1 GB): a large file "
      "and its re-encoded copy may not fit",
      human_bytes(available_bytes), human_bytes(wanted));
}

std::vector<std::string> configured_engines(const config::Config& config) {
  const std::string primary = config.primary_engine();
  std::vector<std::string> names = {primary};
  for (const auto& f : config.transcriber_fallback) {
    std::string n = to_lower(trim(f));
    if (n == "auto") n = primary;
    if (!n.empty() && std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  return names;
}

std::string probe_cost(const std::string& engine, const std::string& api_url, double clip_s,
                       double min_billed_s) {
  if (engine == "sphinx") return "offline, no cost";
  const std::string host = url_host(api_url);
  std::string service;
  if (engine == "groq" && host == "api.groq.com") service = "Groq";
  if (engine == "openai" && host == "api.openai.com") service = "OpenAI";
  if (engine == "deepgram" && host == "api.deepgram.com") service = "Deepgram";
  const double billed = std::max(clip_s, min_billed_s);
  if (service.empty()) {
    // Someone else's server (a self-hosted Whisper, a proxy): its price is not ours to know.
    return fmt::format("1 request with {:.0f} s of audio to {}", clip_s,
                       host.empty() ? api_url : host);
  }
  return fmt::format("1 request, ~{:.0f} s billed on {}", billed, service);
}

// --- checks that talk to the outside -----------------------------------------------------

namespace {

telegram::BotApiOptions bot_api_options(const config::Config& config) {
  telegram::BotApiOptions o;
  o.api_url = config.telegram_api_url;
  o.token = config.telegram_bot_token;
  o.local_mode = config.telegram_local_mode;
  o.connect_timeout = std::chrono::seconds(5);
  o.request_timeout = kTelegramTimeout;
  return o;
}

std::string where(const config::Config& config) {
  std::string host = url_host(config.telegram_api_url);
  return host.empty() ? config.telegram_api_url : host;
}

}  // namespace

TokenCheck check_token(const config::Config& config) {
  const std::string name = "token";
  if (config.telegram_bot_token.empty()) {
    return {config_fail(name, "TELEGRAM_BOT_TOKEN is not set (create a bot with @BotFather)"),
            false};
  }
  http::CurlHttpClient http;
  telegram::BotApi api(bot_api_options(config), http);
  try {
    telegram::User me = api.get_me();
    std::string full = trim(me.first_name + " " + me.last_name);
    return {ok(name, fmt::format("@{} ({}), id {}", me.username, full, me.id)), true};
  } catch (const telegram::ApiError& e) {
    if (e.is_unauthorized()) {
      return {fail(name,
                   "Telegram refuses the token (401 Unauthorized): set TELEGRAM_BOT_TOKEN "
                   "to the token @BotFather gave (it changes when revoked)"),
              false};
    }
    if (e.error_code() == 404) {
      return {fail(name, fmt::format("{} answers 404 to getMe: the token is malformed, or "
                                     "TELEGRAM_API_URL is not a Bot API server",
                                     where(config))),
              false};
    }
    if (e.error_code() == 0) {  // no answer at all: network, timeout, a non-JSON reply
      return {
          fail(name, fmt::format("cannot reach the Bot API at {}: {}", where(config), e.what())),
          false};
    }
    return {fail(name, e.what()), false};
  } catch (const std::exception& e) {
    return {fail(name, fmt::format("cannot reach the Bot API at {}: {}", where(config), e.what())),
            false};
  }
}

CheckResult check_webhook(const config::Config& config, bool token_ok) {
  if (!token_ok) return skip("webhook", "needs a token Telegram accepts");
  http::CurlHttpClient http;
  telegram::BotApi api(bot_api_options(config), http);
  try {
    json info = api.call("getWebhookInfo", json::object(), kTelegramTimeout);
    return assess_webhook(config, info, static_cast<int64_t>(std::time(nullptr)));
  } catch (const std::exception& e) {
    return fail("webhook", fmt::format("getWebhookInfo failed: {}", e.what()));
  }
}

CheckResult check_data_dir(const config::Config& config) {
  const std::string name = "data dir";
  const fs::path dir = config.data_dir;
  std::error_code ec;
  const auto st = fs::status(dir, ec);
  // ENOTDIR: a file stands where a parent directory should be; reported below by name.
  if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory) {
    return fail(name, fmt::format("{}: {}", dir.string(), ec.message()));
  }
  if (fs::exists(st)) {
    if (!fs::is_directory(st)) {
      return fail(name, fmt::format("DATA_DIR {} is not a directory", dir.string()));
    }
    // Writable for real (not access(), which says yes to root on a read-only mount): a file
    // is created, written and removed.
    std::string probe = (dir / ".tgscribe-doctor-XXXXXX").string();
    int fd = mkstemp(probe.data());
    if (fd < 0) {
      return fail(name, fmt::format("DATA_DIR {} is not writable by this user (uid {}): {}",
                                    dir.string(), getuid(), std::strerror(errno)));
    }
    bool wrote = write(fd, "x", 1) == 1;
    int write_errno = errno;
    close(fd);
    unlink(probe.c_str());
    if (!wrote) {
      return fail(name, fmt::format("DATA_DIR {}: cannot write: {}", dir.string(),
                                    std::strerror(write_errno)));
    }
    auto space = fs::space(dir, ec);
    if (ec)
      return warn(name,
                  fmt::format("{} writable; free space unknown: {}", dir.string(), ec.message()));
    if (auto low = low_space_warning(config, space.available); !low.empty()) {
      return warn(name, fmt::format("{} writable; {}", dir.string(), low));
    }
    return ok(name,
              fmt::format("{} writable, {} free", dir.string(), human_bytes(space.available)));
  }
  // Missing: the bot creates it (and its parents) at first start. Find what exists above it.
  fs::path above = fs::absolute(dir, ec).parent_path();
  while (!above.empty() && !fs::exists(above, ec) && above != above.root_path()) {
    above = above.parent_path();
  }
  if (!fs::is_directory(above, ec)) {
    return fail(name, fmt::format("DATA_DIR {} cannot be created: {} is not a directory",
                                  dir.string(), above.string()));
  }
  if (access(above.c_str(), W_OK | X_OK) != 0) {
    return fail(name, fmt::format("DATA_DIR {} does not exist and cannot be created: {} is not "
                                  "writable by this user (uid {})",
                                  dir.string(), above.string(), getuid()));
  }
  auto space = fs::space(above, ec);
  std::string detail = fmt::format(
      "{} does not exist yet; the bot creates it at first start ({} "
      "is writable)",
      dir.string(), above.string());
  if (!ec) {
    if (auto low = low_space_warning(config, space.available); !low.empty()) {
      return warn(name, detail + "; " + low);
    }
    detail += fmt::format(", {} free", human_bytes(space.available));
  }
  return ok(name, detail);
}

CheckResult check_sqlite(const config::Config& config) {
  const std::string name = "sqlite";
  const fs::path file = store::sqlite_path(config);
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    return ok(name,
              fmt::format("{} not created yet: the bot creates it at first start", file.string()));
  }
  // Read-only: doctor must not migrate the schema or create files a running bot (maybe
  // another user) would then trip over.
  // A read-only connection to a WAL database nobody has open creates -wal and -shm files it
  // cannot remove at close: run as root, doctor would leave root-owned files the service user
  // then cannot open. With no -wal/-shm present the file is fully checkpointed and nobody uses
  // it, so it is read as immutable (no locks, no side files); a running bot's files exist
  // already and are only read.
  const bool in_use =
      fs::exists(file.string() + "-wal", ec) && fs::exists(file.string() + "-shm", ec);
  const std::string uri =
      "file:" + uri_path(fs::absolute(file, ec).string()) + (in_use ? "?mode=ro" : "?immutable=1");
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(uri.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr);
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> guard(db, sqlite3_close_v2);
  if (rc != SQLITE_OK) {
    return fail(name, fmt::format("cannot open {}: {}", file.string(),
                                  db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(db, 3000);  // a running bot may hold the write lock for a moment
  auto query_int = [&](const char* sql, int64_t* out) -> std::string {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) return sqlite3_errmsg(db);
    int step = sqlite3_step(st);
    std::string err = step == SQLITE_ROW ? "" : sqlite3_errmsg(db);
    if (step == SQLITE_ROW) *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return err;
  };
  int64_t tables = 0, version = 0;
  std::string err = query_int("SELECT count(*) FROM sqlite_master WHERE type = 'table'", &tables);
  if (err.empty()) err = query_int("PRAGMA user_version", &version);
  if (!err.empty()) {
    return fail(name, fmt::format("{} is not a usable database: {} (move it away; the bot starts "
                                  "a new one)",
                                  file.string(), err));
  }
  if (access(file.c_str(), W_OK) != 0) {
    return fail(name,
                fmt::format("{} is not writable by this user (uid {})", file.string(), getuid()));
  }
  auto size = fs::file_size(file, ec);
  return ok(name, fmt::format("{} opens: schema version {}, {} tables, {}", file.string(), version,
                              tables, human_bytes(ec ? 0 : size)));
}

CheckResult check_redis(const config::Config& config) {
  const std::string name = "redis";
  std::string users;
  if (config.cache_enabled && config.cache_type == "redis") users = "cache";
  if (config.queue_type == "redis") users += users.empty() ? "queue" : " and queue";
  store::RedisOptions o;
  o.connect_timeout = kRedisTimeout;
  o.command_timeout = kRedisTimeout;
  o.reconnect_deadline = kRedisTimeout;
  try {
    auto conn = store::RedisConnection::open(config.redis_url, o);
    auto started = std::chrono::steady_clock::now();
    if (!conn->ping()) {
      return fail(name, fmt::format("{} does not answer PING", conn->endpoint()));
    }
    double ping_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    std::string info = conn->command({"INFO", "server"}).as_string();
    std::string version = "?";
    if (auto at = info.find("redis_version:"); at != std::string::npos) {
      auto end = info.find_first_of("\r\n", at);
      version = info.substr(at + 14, end == std::string::npos ? std::string::npos : end - at - 14);
    }
    return ok(name, fmt::format("{} db {}: Redis {}, PING {:.1f} ms (for the {})", conn->endpoint(),
                                conn->url().db, version, ping_ms, users));
  } catch (const std::exception& e) {
    return fail(name, fmt::format("REDIS_URL {} (for the {}): {}",
                                  mask_url_password(config.redis_url), users, e.what()));
  }
}

CheckResult check_ffmpeg() {
  const auto& wanted = media::required_codec_components();
  auto missing = media::missing_codec_components(wanted);
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) {
      list += fmt::format("{}{} {}", list.empty() ? "" : ", ", media::to_string(m.kind), m.name);
    }
    return fail("ffmpeg", fmt::format("{} lacks {}: install Debian's libavcodec and "
                                      "libavformat (a build with these parts)",
                                      media::ffmpeg_version(), list));
  }
  std::string decoders, demuxers, encoders;
  for (const auto& c : wanted) {
    std::string& to = c.kind == media::CodecComponent::Kind::kDecoder   ? decoders
                      : c.kind == media::CodecComponent::Kind::kDemuxer ? demuxers
                                                                        : encoders;
    to += " " + c.name;
  }
  return ok("ffmpeg", fmt::format("{}: decoders{}; demuxers{}; encoders{}", media::ffmpeg_version(),
                                  decoders, demuxers, encoders));
}

namespace {
// The check's answer when FFmpeg refused our own 1 s clip (kMediaRejected).
std::string clip_refused(const Error& e) {
  return fmt::format("cannot make the 1 s test clip: {}", e.what());
}
}  // namespace

ProbeClip make_probe_clip(const fs::path& dir, bool ogg) {
  static const std::vector<uint8_t> wav = silent_wav(16000, 1.0);
  ProbeClip clip;
  clip.filename = ogg ? "doctor.ogg" : "doctor.webm";
  clip.content_type = ogg ? "audio/ogg" : "audio/webm";
  clip.path = dir / clip.filename;
  media::EncodeOptions o;
  o.codec = media::AudioCodec::kOpus;
  o.container = ogg ? media::Container::kOgg : media::Container::kWebm;
  o.bitrate = 24000;
  auto r = media::encode_audio(media::MediaSource::from_memory(std::span(wav), "doctor.wav"),
                               clip.path, o);
  clip.duration_s = r.duration_s;
  return clip;
}

CheckResult check_engine(const config::Config& config, const std::string& engine,
                         const fs::path& dir) {
  const std::string name = "engine " + engine;
  try {
    if (engine == "sphinx") {
      auto clip = make_probe_clip(dir, true);
      engine::SphinxTranscriber sphinx(config.sphinx_model_dir);
      engine::AudioFile audio{clip.path, clip.filename, clip.content_type,
                              media::probe_file(clip.path, {})};
      auto started = std::chrono::steady_clock::now();
      sphinx.transcribe(audio, {});
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      return ok(name, fmt::format("model in {} loads and decodes ({:.1f} s); {}",
                                  config.sphinx_model_dir, s, probe_cost("sphinx", "", 0, 0)));
    }
    // The real client from the real factory, with one attempt and a short deadline.
    config::Config c = config;
    c.engine_max_retries = 0;
    c.engine_timeout_s = static_cast<int>(kEngineTimeout.count());
    std::shared_ptr<engine::Transcriber> t;
    try {
      t = engine::make_transcriber(c, engine);
    } catch (const Error& e) {
      return config_fail(name, e.what());
    }
    const auto& caps = t->caps();
    const bool ogg = std::find(caps.accepted_extensions.begin(), caps.accepted_extensions.end(),
                               "ogg") != caps.accepted_extensions.end();
    auto clip = make_probe_clip(dir, ogg);
    engine::AudioFile audio{clip.path, clip.filename, clip.content_type,
                            media::probe_file(clip.path, {})};
    const std::string url = engine_url(config, engine);
    const std::string cost = probe_cost(engine, url, clip.duration_s, caps.min_billed_s);
    auto started = std::chrono::steady_clock::now();
    try {
      t->transcribe(audio, {});
    } catch (const Error& e) {
      switch (e.kind()) {
        case ErrorKind::kAuth:
          return fail(name, fmt::format("key refused ({}) — set {}", http_status_part(e.what()),
                                        key_variable(engine)));
        case ErrorKind::kRateLimited:
          return warn(name, fmt::format("key accepted, but rate-limited right now ({}); {}",
                                        http_status_part(e.what()), cost));
        case ErrorKind::kNetwork:
        case ErrorKind::kTimeout:
          return fail(name, fmt::format("cannot reach {}: {}", url, e.what()));
        case ErrorKind::kClient:
          return fail(
              name,
              fmt::format("{} refused the request: {} (check {}_MODEL and {}_API_URL)",
                          url_host(url), e.what(), to_upper_ascii(engine), to_upper_ascii(engine)));
        case ErrorKind::kServer:
          return fail(name, fmt::format("{} (the service is failing; try again later)", e.what()));
        case ErrorKind::kMediaRejected:
          return fail(name, clip_refused(e));
        default:
          return fail(name, e.what());
      }
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return ok(name, fmt::format("{} accepted the key, model {} answered in {:.1f} s ({})",
                                url_host(url), caps.model, s, cost));
  } catch (const Error& e) {
    return fail(name, e.kind() == ErrorKind::kMediaRejected ? clip_refused(e) : e.what());
  } catch (const std::exception& e) {
    return fail(name, e.what());
  }
}

}  // namespace tgscribe::app::doctor
