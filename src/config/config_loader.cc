#include "config/config_loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <type_traits>

#include "common/redact.h"
#include "common/strings.h"

extern char** environ;

namespace tgscribe::config {
namespace {

using Err = std::optional<std::string>;

std::optional<int64_t> parse_int(const std::string& v) {
  int64_t out = 0;
  std::string t = trim(v);
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  if (ec != std::errc() || p != t.data() + t.size() || t.empty()) return std::nullopt;
  return out;
}

std::optional<double> parse_double(const std::string& v) {
  std::string t = trim(v);
  if (t.empty()) return std::nullopt;
  try {
    size_t used = 0;
    double d = std::stod(t, &used);
    if (used != t.size() || !std::isfinite(d)) return std::nullopt;
    return d;
  } catch (...) {
    return std::nullopt;
  }
}

std::optional<bool> parse_bool(const std::string& v) {
  std::string t = to_lower(trim(v));
  if (t == "1" || t == "true" || t == "yes" || t == "on") return true;
  if (t == "0" || t == "false" || t == "no" || t == "off") return false;
  return std::nullopt;
}

// Each option is a pair: apply() parses the text into the Config, show() writes the Config's
// value back as text apply() reads. The default shown by `tgscribe config` (and checked against
// docs and deploy/env.example) is show() of a default-constructed Config, so each default is
// written once: as the member's initialiser in config.h.
struct Option {
  OptionSpec::Apply apply;
  OptionSpec::Show show;
};

template <class T>
std::string number_text(T v) {
  return fmt::format("{}", v);
}

// A list option's text: items joined by commas, as split_list() reads them.
template <class T>
std::string join(const std::vector<T>& items, const char* sep = ",") {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + fmt::format("{}", i);
  return out;
}

OptionSpec::Show show_member(std::string Config::*member) {
  return [member](const Config& c) { return c.*member; };
}

// A number read from `v` within [lo, hi] into `out` (left alone on an error, which says which
// rule `v` broke): int64_t for whole numbers, double for any.
template <class N>
Err read_number(const std::string& v, N lo, N hi, N& out) {
  constexpr bool whole = std::is_integral_v<N>;
  std::optional<N> n;
  if constexpr (whole) {
    n = parse_int(v);
  } else {
    n = parse_double(v);
  }
  if (!n) return fmt::format("must be a {}, got \"{}\"", whole ? "whole number" : "number", v);
  if (*n < lo || *n > hi) return fmt::format("must be between {} and {}, got {}", lo, hi, *n);
  out = *n;
  return std::nullopt;
}

template <class T>
Option int_opt(int64_t lo, int64_t hi, T Config::*member) {
  return {[=](Config& c, const std::string& v) -> Err {
            int64_t n = 0;
            if (auto e = read_number(v, lo, hi, n)) return e;
            c.*member = static_cast<T>(n);
            return std::nullopt;
          },
          [=](const Config& c) { return number_text(c.*member); }};
}

Option double_opt(double lo, double hi, double Config::*member) {
  return {[=](Config& c, const std::string& v) { return read_number(v, lo, hi, c.*member); },
          [=](const Config& c) { return number_text(c.*member); }};
}

Option bool_opt(bool Config::*member) {
  return {[=](Config& c, const std::string& v) -> Err {
            auto b = parse_bool(v);
            if (!b) return fmt::format("must be true or false, got \"{}\"", v);
            c.*member = *b;
            return std::nullopt;
          },
          [=](const Config& c) { return std::string(c.*member ? "true" : "false"); }};
}

// A text option: trimmed, then `check` may refuse it (an error) or normalise it in place.
Option text_opt(
    std::string Config::*member,
    std::function<Err(std::string&)> check = [](std::string&) { return Err(); }) {
  return {[=](Config& c, const std::string& v) -> Err {
            std::string t = trim(v);
            if (auto e = check(t)) return e;
            c.*member = t;
            return std::nullopt;
          },
          show_member(member)};
}

Option string_opt(std::string Config::*member) { return text_opt(member); }

Option secret_opt(std::string Config::*member) {
  return text_opt(member, [](std::string& t) {
    register_secret(t);
    return Err();
  });
}

Option choice_opt(std::vector<std::string> choices, std::string Config::*member) {
  return {[=](Config& c, const std::string& v) -> Err {
            std::string t = to_lower(trim(v));
            if (std::find(choices.begin(), choices.end(), t) == choices.end()) {
              return fmt::format("must be one of {}, got \"{}\"", join(choices, ", "), v);
            }
            c.*member = t;
            return std::nullopt;
          },
          show_member(member)};
}

Err set_url(std::string& out, const std::string& v) {
  std::string t = without_trailing_slashes(trim(v));
  if (!starts_with_icase(t, "http://") && !starts_with_icase(t, "https://")) {
    return fmt::format("must be an http:// or https:// URL, got \"{}\"", redact(v));
  }
  out = t;
  return std::nullopt;
}

Option url_opt(std::string Config::*member) {
  return {[=](Config& c, const std::string& v) { return set_url(c.*member, v); },
          show_member(member)};
}

Option ids_opt(std::vector<int64_t> Config::*member) {
  return {[=](Config& c, const std::string& v) -> Err {
            std::vector<int64_t> ids;
            for (const auto& part : split_list(v)) {
              auto n = parse_int(part);
              if (!n) {
                return fmt::format("must be a comma list of numeric Telegram ids, got \"{}\"",
                                   part);
              }
              ids.push_back(*n);
            }
            c.*member = std::move(ids);
            return std::nullopt;
          },
          [=](const Config& c) { return join(c.*member); }};
}

Option listen_opt(std::string Config::*member) {
  return {[=](Config& c, const std::string& v) -> Err {
            static const std::regex re(R"(^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$)");
            std::smatch m;
            std::string t = trim(v);
            if (!std::regex_match(t, m, re) || std::stoi(m[2]) > 65535) {
              return fmt::format("must be HOST:PORT (e.g. 127.0.0.1:9090), got \"{}\"", v);
            }
            c.*member = t;
            return std::nullopt;
          },
          show_member(member)};
}

// A comma list of `what`s ("groq,sphinx"), each one of `choices`, in the order given; with
// `unique`, a repeat is dropped.
Option choice_list_opt(std::string what, std::vector<std::string> choices, bool unique,
                       std::vector<std::string> Config::*member) {
  return {[=](Config& c, const std::string& v) -> Err {
            std::vector<std::string> list;
            for (auto& item : split_list(to_lower(v))) {
              if (std::find(choices.begin(), choices.end(), item) == choices.end()) {
                return fmt::format("unknown {} \"{}\" ({})", what, item, join(choices, ", "));
              }
              if (!unique || std::find(list.begin(), list.end(), item) == list.end()) {
                list.push_back(item);
              }
            }
            c.*member = list;
            return std::nullopt;
          },
          [=](const Config& c) { return join(c.*member); }};
}

Err check_language(const std::string& v) {
  static const std::regex re("^[a-z]{2}$");
  if (v == "auto" || std::regex_match(v, re)) return std::nullopt;
  return fmt::format("must be \"auto\" or an ISO 639-1 code such as en or id, got \"{}\"", v);
}

std::vector<OptionSpec> build_specs() {
  std::vector<OptionSpec> s;
  const Config defaults;
  auto add = [&](std::string name, bool secret, Option o) {
    std::string def = o.show(defaults);
    s.push_back(
        OptionSpec{std::move(name), std::move(def), secret, std::move(o.apply), std::move(o.show)});
  };
  add("TELEGRAM_BOT_TOKEN", true, secret_opt(&Config::telegram_bot_token));
  add("TELEGRAM_API_URL", false, url_opt(&Config::telegram_api_url));
  add("TELEGRAM_LOCAL_MODE", false, bool_opt(&Config::telegram_local_mode));
  // In MB (10^6 bytes) as Telegram states its limits; kept in bytes.
  add("TELEGRAM_DOWNLOAD_LIMIT_MB", false,
      {[](Config& c, const std::string& v) -> Err {
         double mb = 0;
         if (auto e = read_number(v, 0.001, 1e6, mb)) return e;
         c.telegram_download_limit_bytes = static_cast<int64_t>(mb * 1e6);
         return std::nullopt;
       },
       [](const Config& c) { return number_text(c.telegram_download_limit_bytes / 1e6); }});
  add("TELEGRAM_GLOBAL_RATE", false, double_opt(0.1, 100000, &Config::telegram_global_rate));
  add("TRANSCRIBER", false,
      choice_opt({"auto", "groq", "openai", "deepgram", "sphinx"}, &Config::transcriber));
  add("TRANSCRIBER_FALLBACK", false,
      choice_list_opt("engine", {"groq", "openai", "deepgram", "sphinx"}, false,
                      &Config::transcriber_fallback));
  add("GROQ_API_KEY", true, secret_opt(&Config::groq_api_key));
  add("GROQ_API_URL", false, url_opt(&Config::groq_api_url));
  add("GROQ_MODEL", false, string_opt(&Config::groq_model));
  add("OPENAI_API_KEY", true, secret_opt(&Config::openai_api_key));
  add("OPENAI_API_URL", false, url_opt(&Config::openai_api_url));
  add("OPENAI_MODEL", false, string_opt(&Config::openai_model));
  add("DEEPGRAM_API_KEY", true, secret_opt(&Config::deepgram_api_key));
  add("DEEPGRAM_API_URL", false, url_opt(&Config::deepgram_api_url));
  add("DEEPGRAM_MODEL", false, string_opt(&Config::deepgram_model));
  add("SPHINX_MODEL_DIR", false, string_opt(&Config::sphinx_model_dir));
  add("API_MAX_UPLOAD_MB", false,
      {[](Config& c, const std::string& v) -> Err {
         if (trim(v).empty()) {
           c.api_max_upload_mb.reset();
           return std::nullopt;
         }
         auto d = parse_double(v);
         if (!d || *d < 0.1 || *d > 100000) {
           return fmt::format("must be a size in MB between 0.1 and 100000, got \"{}\"", v);
         }
         c.api_max_upload_mb = *d;
         return std::nullopt;
       },
       [](const Config& c) {
         return c.api_max_upload_mb ? number_text(*c.api_max_upload_mb) : std::string();
       }});
  add("ENGINE_CONCURRENCY", false, int_opt(1, 64, &Config::engine_concurrency));
  add("ENGINE_TIMEOUT_S", false, int_opt(5, 7200, &Config::engine_timeout_s));
  add("ENGINE_MAX_RETRIES", false, int_opt(0, 20, &Config::engine_max_retries));
  add("GROQ_RPM", false, int_opt(0, 1'000'000, &Config::groq_rpm));
  add("GROQ_AUDIO_SECONDS_PER_HOUR", false,
      int_opt(0, 1'000'000'000, &Config::groq_audio_seconds_per_hour));
  add("OPENAI_RPM", false, int_opt(0, 1'000'000, &Config::openai_rpm));
  add("OPENAI_AUDIO_SECONDS_PER_HOUR", false,
      int_opt(0, 1'000'000'000, &Config::openai_audio_seconds_per_hour));
  add("DEEPGRAM_RPM", false, int_opt(0, 1'000'000, &Config::deepgram_rpm));
  add("DEEPGRAM_AUDIO_SECONDS_PER_HOUR", false,
      int_opt(0, 1'000'000'000, &Config::deepgram_audio_seconds_per_hour));
  add("PACING_MAX_WAIT_S", false, int_opt(0, 3600, &Config::pacing_max_wait_s));
  // Text model (summaries, translations): "" = auto by the engine keys, "off", or a base URL.
  add("LLM_API_URL", false,
      {[](Config& c, const std::string& v) -> Err {
         std::string t = trim(v);
         if (t.empty() || to_lower(t) == "off") {
           c.llm_api_url = to_lower(t);
           return std::nullopt;
         }
         return set_url(c.llm_api_url, v);
       },
       show_member(&Config::llm_api_url)});
  add("LLM_API_KEY", true, secret_opt(&Config::llm_api_key));
  add("LLM_MODEL", false, string_opt(&Config::llm_model));
  add("LLM_CONTEXT_TOKENS", false,
      {[](Config& c, const std::string& v) -> Err {
         // 0 = the provider's default; below 1024 no transcript part and answer fit.
         if (auto n = parse_int(v); n && *n == 0) {
           c.llm_context_tokens = 0;
           return std::nullopt;
         }
         return read_number<int64_t>(v, 1024, 10'000'000, c.llm_context_tokens);
       },
       [](const Config& c) { return number_text(c.llm_context_tokens); }});
  add("LLM_TIMEOUT_S", false, int_opt(1, 3600, &Config::llm_timeout_s));
  add("LANGUAGE", false, text_opt(&Config::language, [](std::string& t) {
        t = to_lower(t);
        if (t.empty()) t = "auto";
        return check_language(t);
      }));
  add("OUTPUT_FORMATS", false,
      choice_list_opt("format", {"txt", "srt", "vtt", "json"}, true, &Config::output_formats));
  add("MESSAGE_FILE_THRESHOLD", false, int_opt(200, 1'000'000, &Config::message_file_threshold));
  add("CACHE_ENABLED", false, bool_opt(&Config::cache_enabled));
  add("CACHE_TYPE", false, choice_opt({"memory", "sqlite", "redis"}, &Config::cache_type));
  add("CACHE_MAX_SIZE", false, int_opt(1, 10'000'000, &Config::cache_max_size));
  add("CACHE_TTL", false, int_opt(1, 10LL * 365 * 86400, &Config::cache_ttl_s));
  add("QUEUE_TYPE", false, choice_opt({"memory", "sqlite", "redis"}, &Config::queue_type));
  add("QUEUE_MAX_WORKERS", false, int_opt(1, 256, &Config::queue_max_workers));
  add("QUEUE_MAX_RETRIES", false, int_opt(0, 100, &Config::queue_max_retries));
  add("QUEUE_RETRY_DELAY", false, int_opt(0, 86400, &Config::queue_retry_delay_s));
  add("QUEUE_RATE_LIMIT_PER_USER", false, int_opt(0, 100000, &Config::queue_rate_limit_per_user));
  add("QUEUE_ADMIN_BOOST", false, int_opt(0, 1'000'000, &Config::queue_admin_boost));
  add("QUEUE_LEASE_S", false, int_opt(5, 86400, &Config::queue_lease_s));
  add("OUTBOX_SENDERS", false, int_opt(1, 256, &Config::outbox_senders));
  add("REDIS_URL", false, text_opt(&Config::redis_url, [](std::string& t) -> Err {
        static const std::regex re(R"(^rediss?://([^@/]*@)?[^/:@]+(:[0-9]+)?(/[0-9]+)?$)");
        if (auto at = t.find('@'); at != std::string::npos) {
          auto colon = t.find(':', t.find("://") + 3);
          if (colon != std::string::npos && colon < at)
            register_secret(t.substr(colon + 1, at - colon - 1));
        }
        if (!std::regex_match(t, re)) {
          return fmt::format("must look like redis://[:password@]host[:port][/db], got \"{}\"",
                             mask_url_password(t));
        }
        return std::nullopt;
      }));
  add("DATA_DIR", false, text_opt(&Config::data_dir, [](std::string& t) -> Err {
        if (t.empty()) return std::string("must not be empty");
        return std::nullopt;
      }));
  add("AUDIO_TARGET_SAMPLE_RATE", false, int_opt(8000, 48000, &Config::audio_target_sample_rate));
  add("AUDIO_TARGET_CHANNELS", false, int_opt(1, 2, &Config::audio_target_channels));
  add("AUDIO_TARGET_BITRATE", false,
      {[](Config& c, const std::string& v) -> Err {
         std::string t = to_lower(trim(v));
         int64_t mult = 1;
         if (!t.empty() && t.back() == 'k') {
           mult = 1000;
           t.pop_back();
         }
         auto n = parse_int(t);
         if (!n || *n * mult < 6000 || *n * mult > 512000) {
           return fmt::format("must be a bitrate between 6k and 512k (e.g. 96k), got \"{}\"", v);
         }
         c.audio_target_bitrate = static_cast<int>(*n * mult);
         return std::nullopt;
       },
       [](const Config& c) {
         int b = c.audio_target_bitrate;
         return b % 1000 == 0 ? fmt::format("{}k", b / 1000) : number_text(b);
       }});
  add("AUDIO_COMPRESSION_THRESHOLD_MB", false,
      double_opt(0, 100000, &Config::audio_compression_threshold_mb));
  add("SKIP_SILENCE", false,
      {[](Config& c, const std::string& v) -> Err {
         std::string t = to_lower(trim(v));
         if (t != "auto" && t != "off") return fmt::format("must be auto or off, got \"{}\"", v);
         c.skip_silence = t == "auto";
         return std::nullopt;
       },
       [](const Config& c) { return std::string(c.skip_silence ? "auto" : "off"); }});
  add("MAX_FILE_SIZE_MB", false, double_opt(0.001, 100000, &Config::max_file_size_mb));
  add("MAX_DURATION_S", false, double_opt(1, 7 * 86400, &Config::max_duration_s));
  add("WEBHOOK_URL", false, text_opt(&Config::webhook_url, [](std::string& t) -> Err {
        if (!t.empty() && !starts_with_icase(t, "https://") && !starts_with_icase(t, "http://")) {
          return fmt::format(
              "must be an https:// URL (http:// only with a local Bot API server), got \"{}\"",
              redact(t));
        }
        return std::nullopt;
      }));
  add("WEBHOOK_SECRET", true, text_opt(&Config::webhook_secret, [](std::string& t) -> Err {
        static const std::regex re("^[A-Za-z0-9_-]{1,256}$");
        if (!t.empty() && !std::regex_match(t, re)) {
          return std::string(
              "must be 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)");
        }
        register_secret(t);
        return std::nullopt;
      }));
  add("WEBHOOK_LISTEN", false, listen_opt(&Config::webhook_listen));
  add("WEBHOOK_MAX_CONNECTIONS", false, int_opt(1, 100000, &Config::webhook_max_connections));
  add("WEBHOOK_MAX_BODY_BYTES", false,
      int_opt(1024, 1'000'000'000, &Config::webhook_max_body_bytes));
  add("HTTP_LISTEN", false, listen_opt(&Config::http_listen));
  add("BOT_ROLE", false, choice_opt({"all", "ingest", "worker"}, &Config::bot_role));
  add("ALLOWED_USER_IDS", false, ids_opt(&Config::allowed_user_ids));
  add("ALLOWED_CHAT_IDS", false, ids_opt(&Config::allowed_chat_ids));
  add("ADMIN_USER_IDS", false, ids_opt(&Config::admin_user_ids));
  add("STATUS_EDIT_INTERVAL_S", false, int_opt(3, 600, &Config::status_edit_interval_s));
  add("STATUS_DELAY_MS", false, int_opt(0, 60'000, &Config::status_delay_ms));
  add("BACKLOG_MAX_AGE_S", false, int_opt(0, 30 * 86400, &Config::backlog_max_age_s));
  add("SHUTDOWN_TIMEOUT_S", false, int_opt(0, 3600, &Config::shutdown_timeout_s));
  add("TRANSFER_STALL_S", false, int_opt(0, 3600, &Config::transfer_stall_s));
  add("TRANSFER_MIN_RATE_KBPS", false, int_opt(1, 1'000'000, &Config::transfer_min_rate_kbps));
  add("LOG_LEVEL", false,
      {[](Config& c, const std::string& v) -> Err {
         auto choice =
             choice_opt({"trace", "debug", "info", "warn", "warning", "error"}, &Config::log_level);
         if (auto e = choice.apply(c, v)) return e;
         if (c.log_level == "warning") c.log_level = "warn";
         return std::nullopt;
       },
       show_member(&Config::log_level)});
  add("LOG_FILE", false, string_opt(&Config::log_file));
  add("LOG_FORMAT", false, choice_opt({"text", "json"}, &Config::log_format));
  // Usage, cost and quotas: list prices as defaults (USD per audio hour).
  add("ENGINE_PRICE_GROQ", false, double_opt(0, 1000, &Config::engine_price_groq));
  add("ENGINE_PRICE_OPENAI", false, double_opt(0, 1000, &Config::engine_price_openai));
  add("ENGINE_PRICE_DEEPGRAM", false, double_opt(0, 1000, &Config::engine_price_deepgram));
  add("QUOTA_USER_DAILY_MIN", false, double_opt(0, 1440 * 1000, &Config::quota_user_daily_min));
  add("QUOTA_GLOBAL_DAILY_MIN", false,
      double_opt(0, 1440 * 1'000'000.0, &Config::quota_global_daily_min));
  add("USAGE_RETENTION_DAYS", false, int_opt(1, 3650, &Config::usage_retention_days));
  return s;
}

}  // namespace

const std::vector<OptionSpec>& option_specs() {
  static const std::vector<OptionSpec> specs = build_specs();
  return specs;
}

std::map<std::string, std::string> process_env() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

// Written by hand: Debian has no C++ dotenv library, and the format is a few lines.
std::map<std::string, std::string> parse_dotenv(const std::string& text,
                                                std::vector<std::string>* errors) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  int lineno = 0;
  static const std::regex key_re("^[A-Za-z_][A-Za-z0-9_]*$");
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    if (t.rfind("export ", 0) == 0) t = trim(t.substr(7));
    auto eq = t.find('=');
    if (eq == std::string::npos) {
      if (errors) errors->push_back(fmt::format(".env line {}: expected KEY=VALUE", lineno));
      continue;
    }
    std::string key = trim(t.substr(0, eq));
    std::string raw = trim(t.substr(eq + 1));
    if (!std::regex_match(key, key_re)) {
      if (errors) errors->push_back(fmt::format(".env line {}: bad variable name", lineno));
      continue;
    }
    std::string value;
    if (!raw.empty() && (raw[0] == '"' || raw[0] == '\'')) {
      char q = raw[0];
      size_t i = 1;
      bool closed = false;
      for (; i < raw.size(); ++i) {
        char ch = raw[i];
        if (ch == q) {
          closed = true;
          break;
        }
        if (q == '"' && ch == '\\' && i + 1 < raw.size()) {
          char nx = raw[++i];
          value.push_back(nx == 'n' ? '\n' : nx == 't' ? '\t' : nx);
        } else {
          value.push_back(ch);
        }
      }
      if (!closed) {
        if (errors) errors->push_back(fmt::format(".env line {}: unterminated quote", lineno));
        continue;
      }
    } else {
      auto hash = raw.find(" #");
      value = trim(hash == std::string::npos ? raw : raw.substr(0, hash));
    }
    out[key] = value;
  }
  return out;
}

LoadResult load_config(const std::map<std::string, std::string>& flags,
                       const std::map<std::string, std::string>& env,
                       const std::string& default_env_file) {
  LoadResult r;
  std::map<std::string, std::string> dotenv;
  std::string env_file;
  bool explicit_file = false;
  if (auto it = flags.find("ENV_FILE"); it != flags.end()) {
    env_file = it->second;
    explicit_file = true;
  } else if (auto it2 = env.find("ENV_FILE"); it2 != env.end() && !it2->second.empty()) {
    env_file = it2->second;
    explicit_file = true;
  } else {
    env_file = default_env_file;
  }
  if (!env_file.empty()) {
    std::ifstream in(env_file);
    if (in) {
      std::stringstream ss;
      ss << in.rdbuf();
      std::vector<std::string> errs;
      dotenv = parse_dotenv(ss.str(), &errs);
      for (auto& e : errs) r.errors.push_back(env_file + ": " + e);
    } else if (explicit_file) {
      r.errors.push_back(fmt::format("ENV_FILE: cannot read \"{}\"", env_file));
    }
  }
  for (const auto& spec : option_specs()) {
    std::string value = spec.default_value;
    std::string source = "default";
    if (auto it = flags.find(spec.name); it != flags.end()) {
      value = it->second;
      source = "flag";
    } else if (auto e = env.find(spec.name); e != env.end()) {
      value = e->second;
      source = "env";
    } else if (auto d = dotenv.find(spec.name); d != dotenv.end()) {
      value = d->second;
      source = ".env";
    }
    if (auto err = spec.apply(r.config, value)) {
      r.errors.push_back(fmt::format("{}: {}", spec.name, *err));
    }
    r.effective[spec.name] = Effective{value, source};
  }
  validate(r.config, r.errors);
  return r;
}

void validate(const Config& c, std::vector<std::string>& errors) {
  auto need_key = [&](const std::string& engine, const std::string& why) {
    if (engine == "groq" && c.groq_api_key.empty())
      errors.push_back(fmt::format("GROQ_API_KEY: required because {} uses groq", why));
    if (engine == "openai" && c.openai_api_key.empty() &&
        c.openai_api_url == "https://api.openai.com/v1")
      errors.push_back(fmt::format("OPENAI_API_KEY: required because {} uses openai", why));
    if (engine == "deepgram" && c.deepgram_api_key.empty())
      errors.push_back(fmt::format("DEEPGRAM_API_KEY: required because {} uses deepgram", why));
  };
  need_key(c.transcriber, "TRANSCRIBER");
  for (const auto& f : c.transcriber_fallback) need_key(f, "TRANSCRIBER_FALLBACK");
  if ((c.primary_engine() == "sphinx" ||
       std::find(c.transcriber_fallback.begin(), c.transcriber_fallback.end(), "sphinx") !=
           c.transcriber_fallback.end()) &&
      !std::filesystem::exists(std::filesystem::path(c.sphinx_model_dir) / "mdef") &&
      !std::filesystem::exists(std::filesystem::path(c.sphinx_model_dir) / "en-us" / "mdef")) {
    errors.push_back(fmt::format(
        "SPHINX_MODEL_DIR: no PocketSphinx model in \"{}\" (install pocketsphinx-en-us)",
        c.sphinx_model_dir));
  }
  if (!c.webhook_secret.empty() && c.webhook_url.empty()) {
    // Not fatal in spirit, but a secret without a webhook is almost always a typo'd URL.
    errors.push_back(
        "WEBHOOK_SECRET: set, but WEBHOOK_URL is empty (polling mode needs no secret)");
  }
  if (auto llm = c.llm_endpoint()) {
    if (llm->model.empty()) {
      errors.push_back(
          "LLM_MODEL: required with a self-hosted LLM_API_URL (the model name the server serves)");
    }
    if (llm->api_key.empty() && llm->provider != "custom") {
      errors.push_back(fmt::format("LLM_API_KEY: required for {} (or set {}_API_KEY)",
                                   llm->provider, llm->provider == "groq" ? "GROQ" : "OPENAI"));
    }
  } else if (c.llm_api_url.empty() && !c.llm_api_key.empty()) {
    errors.push_back(
        "LLM_API_KEY: set, but there is no endpoint for it: set LLM_API_URL (or GROQ_API_KEY / "
        "OPENAI_API_KEY for their defaults)");
  }
  if (c.webhook_listen == c.http_listen) {
    errors.push_back("HTTP_LISTEN: must differ from WEBHOOK_LISTEN");
  }
}

std::string render_config(const LoadResult& result) {
  std::string out;
  for (const auto& spec : option_specs()) {
    const auto& eff = result.effective.at(spec.name);
    std::string shown = spec.secret ? mask_secret(eff.value) : mask_url_password(eff.value);
    out += fmt::format("{}={}  ({})\n", spec.name, shown, eff.source);
  }
  const auto& c = result.config;
  out += fmt::format("# engine in use: {}", c.primary_engine());
  if (!c.transcriber_fallback.empty()) {
    std::string chain;
    for (auto& f : c.transcriber_fallback) chain += " -> " + f;
    out += ", fallback" + chain;
  }
  out += fmt::format("\n# mode: {}\n", c.webhook_url.empty() ? "long polling" : "webhook");
  if (auto llm = c.llm_endpoint()) {
    out += fmt::format("# text model (summaries, translations): {} {} at {}, {} tokens\n",
                       llm->provider, llm->model, mask_url_password(llm->url), llm->context_tokens);
  } else {
    out += "# text model (summaries, translations): off\n";
  }
  return out;
}

}  // namespace tgscribe::config
