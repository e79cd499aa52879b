#pragma once
// The checks of `tgscribe doctor`, one function each. The ones that talk to the outside
// (Telegram, engines, Redis, the disk) keep every call under a short deadline, so doctor never
// hangs; the judgements that need no I/O (assess_*) are separate so they can be unit-tested.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/doctor_report.h"
#include "config/config.h"
#include "config/config_loader.h"

namespace tgscribe::app::doctor {

// Deadlines: a healthy service answers in well under a second; these only stop a dead or
// black-holed one from holding the operator's terminal.
inline constexpr std::chrono::seconds kTelegramTimeout{10};
inline constexpr std::chrono::seconds kEngineTimeout{20};  // a 1 s clip, upload included
inline constexpr std::chrono::seconds kRedisTimeout{3};

// --- checks without I/O ------------------------------------------------------------------

// One FAIL line per configuration error, or one ok line summing up what is configured.
std::vector<CheckResult> check_config(const config::LoadResult& loaded);

// "api.telegram.org" for "https://api.telegram.org/", "" when the URL has no host.
std::string url_host(const std::string& url);

// TELEGRAM_LOCAL_MODE against TELEGRAM_API_URL: local mode on Telegram's cloud API is a
// configuration error (getFile's paths would not be on this disk); a local server without local
// mode works, but with the cloud's 20 MB download limit, so it is a warning.
CheckResult assess_api_mode(const config::Config& config);

// getWebhookInfo's `result` against WEBHOOK_URL (webhook or polling), with the pending update
// count and the last delivery error. `now_unix_s` dates that error.
CheckResult assess_webhook(const config::Config& config, const nlohmann::json& info,
                           int64_t now_unix_s);

// Free space of DATA_DIR: a warning under max(1 GB, 2 x MAX_FILE_SIZE_MB) (a download and its
// re-encoded copy must fit). Empty when there is enough.
std::string low_space_warning(const config::Config& config, uint64_t available_bytes);
uint64_t wanted_free_bytes(const config::Config& config);

// The engines the configuration uses: the primary engine, then TRANSCRIBER_FALLBACK, without
// duplicates ("auto" resolved), as engine::make_engine_chain builds them.
std::vector<std::string> configured_engines(const config::Config& config);

// What one probe request costs: "1 request, ~10 s billed on Groq" (Groq bills at least 10 s);
// for a self-hosted server (an api_url that is not the service's own) the host is named.
std::string probe_cost(const std::string& engine, const std::string& api_url, double clip_s,
                       double min_billed_s);

// --- checks that talk to the outside -----------------------------------------------------

struct TokenCheck {
  CheckResult result;
  bool token_ok = false;  // the webhook check needs a token Telegram accepts
};

// getMe: the bot's @username and name; 401 says the token is refused. Never prints the token.
TokenCheck check_token(const config::Config& config);
// getWebhookInfo (skipped when the token check failed).
CheckResult check_webhook(const config::Config& config, bool token_ok);

// DATA_DIR exists (or can be created), is writable (a file is created and removed) and has
// free space. Nothing is left behind: a missing DATA_DIR is not created here, so doctor run as
// root never leaves root-owned files in the service's directory.
CheckResult check_data_dir(const config::Config& config);
// DATA_DIR/tgscribe.db opens read-only and is a tgscribe database (when a type is sqlite).
CheckResult check_sqlite(const config::Config& config);
// PING and the server's version (when CACHE_TYPE or QUEUE_TYPE is redis).
CheckResult check_redis(const config::Config& config);
// The FFmpeg decoders, demuxers and encoders tgscribe needs.
CheckResult check_ffmpeg();

// A 1-second silent clip, Opus in Ogg (or WebM, for engines that refuse Ogg), encoded in
// process with media::encode_audio into `dir`.
struct ProbeClip {
  std::filesystem::path path;
  std::string filename;
  std::string content_type;
  double duration_s = 0;
};
ProbeClip make_probe_clip(const std::filesystem::path& dir, bool ogg);

// One real request to `engine` through its real client (no retries, kEngineTimeout), with
// the cost stated; sphinx loads its model and decodes the clip. `dir` holds the clip.
CheckResult check_engine(const config::Config& config, const std::string& engine,
                         const std::filesystem::path& dir);

}  // namespace tgscribe::app::doctor
