#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "common/redact.h"
#include "config/config_loader.h"
#include "support/test_util.h"

namespace tgscribe::config {
namespace {

using Map = std::map<std::string, std::string>;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(ConfigLoader, DefaultsMatchTheContract) {
  auto r = load_config({}, {}, "");
  ASSERT_TRUE(r.errors.empty()) << r.errors.front();
  const auto& c = r.config;
  EXPECT_EQ(c.telegram_api_url, "https://api.telegram.org");
  EXPECT_FALSE(c.telegram_local_mode);
  EXPECT_EQ(c.transcriber, "auto");
  EXPECT_EQ(c.groq_api_url, "https://api.groq.com/openai/v1");
  EXPECT_EQ(c.groq_model, "whisper-large-v3-turbo");
  EXPECT_EQ(c.openai_model, "whisper-1");
  EXPECT_EQ(c.deepgram_model, "nova-3");
  EXPECT_EQ(c.cache_type, "sqlite");
  EXPECT_EQ(c.cache_max_size, 100);
  EXPECT_EQ(c.cache_ttl_s, 604800);
  EXPECT_EQ(c.queue_type, "sqlite");
  EXPECT_EQ(c.queue_max_workers, 5);
  EXPECT_EQ(c.queue_max_retries, 2);
  EXPECT_EQ(c.queue_retry_delay_s, 5);
  EXPECT_EQ(c.queue_rate_limit_per_user, 3);
  EXPECT_EQ(c.redis_url, "redis://127.0.0.1:6379/0");
  EXPECT_EQ(c.data_dir, "./data");
  EXPECT_EQ(c.output_formats, (std::vector<std::string>{"txt", "srt"}));
  EXPECT_EQ(c.audio_target_sample_rate, 16000);
  EXPECT_EQ(c.audio_target_channels, 1);
  EXPECT_EQ(c.audio_target_bitrate, 96000);
  EXPECT_DOUBLE_EQ(c.audio_compression_threshold_mb, 30);
  EXPECT_DOUBLE_EQ(c.max_file_size_mb, 2000);
  EXPECT_DOUBLE_EQ(c.max_duration_s, 14400);
  EXPECT_EQ(c.webhook_listen, "0.0.0.0:8443");
  EXPECT_EQ(c.http_listen, "127.0.0.1:9090");
  EXPECT_EQ(c.bot_role, "all");
  EXPECT_EQ(c.log_level, "info");
  EXPECT_EQ(c.primary_engine(), "sphinx");
  EXPECT_EQ(c.max_upload_bytes("groq"), 25'000'000);
  EXPECT_EQ(c.max_upload_bytes("deepgram"), 2'000'000'000);
  EXPECT_EQ(r.effective.at("QUEUE_TYPE").source, "default");
}

TEST(ConfigLoader, PrecedenceIsFlagThenEnvThenDotenvThenDefault) {
  testing::TempDir dir;
  testing::write_file(dir / ".env",
                      "QUEUE_MAX_WORKERS=7\nLANGUAGE=id\nCACHE_MAX_SIZE=11\nLOG_LEVEL=debug\n");
  Map env = {{"LANGUAGE", "en"}, {"CACHE_MAX_SIZE", "12"}, {"LOG_LEVEL", "error"}};
  Map flags = {{"LOG_LEVEL", "warn"}};
  auto r = load_config(flags, env, (dir / ".env").string());
  ASSERT_TRUE(r.errors.empty()) << r.errors.front();
  EXPECT_EQ(r.config.queue_max_workers, 7);
  EXPECT_EQ(r.effective.at("QUEUE_MAX_WORKERS").source, ".env");
  EXPECT_EQ(r.config.language, "en");
  EXPECT_EQ(r.effective.at("LANGUAGE").source, "env");
  EXPECT_EQ(r.config.cache_max_size, 12);
  EXPECT_EQ(r.config.log_level, "warn");
  EXPECT_EQ(r.effective.at("LOG_LEVEL").source, "flag");
  EXPECT_EQ(r.effective.at("QUEUE_TYPE").source, "default");
}

TEST(ConfigLoader, EnvFileVariableNamesTheFile) {
  testing::TempDir dir;
  testing::write_file(dir / "custom.env", "export QUEUE_MAX_RETRIES=\"9\" # nine\n");
  auto r = load_config({}, {{"ENV_FILE", (dir / "custom.env").string()}}, "");
  ASSERT_TRUE(r.errors.empty()) << r.errors.front();
  EXPECT_EQ(r.config.queue_max_retries, 9);

  auto missing = load_config({}, {{"ENV_FILE", (dir / "nope.env").string()}}, "");
  EXPECT_THAT(missing.errors, Contains(HasSubstr("ENV_FILE")));
}

TEST(ConfigLoader, EveryBadOptionIsReportedAtOnce) {
  Map env = {{"QUEUE_MAX_WORKERS", "zero"},
             {"CACHE_TYPE", "memcached"},
             {"LANGUAGE", "english"},
             {"OUTPUT_FORMATS", "txt,pdf"},
             {"TELEGRAM_LOCAL_MODE", "maybe"},
             {"HTTP_LISTEN", "nowhere"},
             {"ALLOWED_USER_IDS", "12,abc"},
             {"AUDIO_TARGET_BITRATE", "fast"},
             {"TRANSCRIBER_FALLBACK", "sphinx,whisperx"}};
  auto r = load_config({}, env, "");
  for (const char* name :
       {"QUEUE_MAX_WORKERS", "CACHE_TYPE", "LANGUAGE", "OUTPUT_FORMATS", "TELEGRAM_LOCAL_MODE",
        "HTTP_LISTEN", "ALLOWED_USER_IDS", "AUDIO_TARGET_BITRATE", "TRANSCRIBER_FALLBACK"}) {
    EXPECT_THAT(r.errors, Contains(HasSubstr(std::string(name) + ":"))) << name;
  }
  EXPECT_GE(r.errors.size(), 9u);
}

TEST(ConfigLoader, RangesAreChecked) {
  auto r = load_config({}, {{"QUEUE_MAX_WORKERS", "0"}, {"AUDIO_TARGET_CHANNELS", "3"}}, "");
  EXPECT_THAT(r.errors, Contains(HasSubstr("QUEUE_MAX_WORKERS: must be between 1 and 256, got 0")));
  EXPECT_THAT(r.errors, Contains(HasSubstr("AUDIO_TARGET_CHANNELS")));
}

TEST(ConfigLoader, EngineWithoutKeyIsAnError) {
  auto r = load_config({}, {{"TRANSCRIBER", "groq"}}, "");
  EXPECT_THAT(r.errors, Contains(HasSubstr("GROQ_API_KEY")));
  auto ok = load_config({}, {{"TRANSCRIBER", "groq"}, {"GROQ_API_KEY", "gsk_x"}}, "");
  EXPECT_THAT(ok.errors, Not(Contains(HasSubstr("GROQ_API_KEY"))));
  auto fb = load_config({}, {{"TRANSCRIBER_FALLBACK", "deepgram"}}, "");
  EXPECT_THAT(fb.errors, Contains(HasSubstr("DEEPGRAM_API_KEY")));
}

TEST(ConfigLoader, AutoPicksTheFirstEngineWithAKey) {
  auto r = load_config({}, {{"OPENAI_API_KEY", "sk-1"}, {"DEEPGRAM_API_KEY", "dg"}}, "");
  EXPECT_EQ(r.config.primary_engine(), "openai");
  r = load_config({}, {{"GROQ_API_KEY", "g"}, {"OPENAI_API_KEY", "sk-1"}}, "");
  EXPECT_EQ(r.config.primary_engine(), "groq");
  r = load_config({}, {{"DEEPGRAM_API_KEY", "dg"}}, "");
  EXPECT_EQ(r.config.primary_engine(), "deepgram");
}

TEST(ConfigLoader, EmptyOutputFormatsMeansMessageOnly) {
  auto r = load_config({}, {{"OUTPUT_FORMATS", ""}}, "");
  ASSERT_TRUE(r.errors.empty());
  EXPECT_TRUE(r.config.output_formats.empty());
}

TEST(ConfigLoader, BitrateAndSizes) {
  auto r = load_config({}, {{"AUDIO_TARGET_BITRATE", "32k"}, {"API_MAX_UPLOAD_MB", "100"}}, "");
  ASSERT_TRUE(r.errors.empty()) << r.errors.front();
  EXPECT_EQ(r.config.audio_target_bitrate, 32000);
  EXPECT_EQ(r.config.max_upload_bytes("groq"), 100'000'000);  // MB are 10^6 bytes
}

TEST(ConfigLoader, WebhookSecretFollowsTelegramRules) {
  auto r = load_config(
      {}, {{"WEBHOOK_URL", "https://x.example/hook"}, {"WEBHOOK_SECRET", "has space"}}, "");
  EXPECT_THAT(r.errors, Contains(HasSubstr("WEBHOOK_SECRET")));
  r = load_config({}, {{"WEBHOOK_URL", "https://x.example/hook"}, {"WEBHOOK_SECRET", "ok_-9"}}, "");
  EXPECT_THAT(r.errors, Not(Contains(HasSubstr("WEBHOOK_SECRET"))));
}

TEST(ConfigRender, SecretsAreMasked) {
  const std::string token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
  const std::string key = "gsk_abcdefghijklmnopqrstuvwxyz0123456789";
  const std::string secret = "webhook_secret_value_42";
  Map env = {{"TELEGRAM_BOT_TOKEN", token},
             {"GROQ_API_KEY", key},
             {"WEBHOOK_URL", "https://h.example/x"},
             {"WEBHOOK_SECRET", secret},
             {"REDIS_URL", "redis://:hunter2pass@redis:6379/1"}};
  auto r = load_config({}, env, "");
  ASSERT_TRUE(r.errors.empty()) << r.errors.front();
  std::string out = render_config(r);
  EXPECT_EQ(out.find(token), std::string::npos);
  EXPECT_EQ(out.find(key), std::string::npos);
  EXPECT_EQ(out.find(secret), std::string::npos);
  EXPECT_EQ(out.find("hunter2pass"), std::string::npos);
  EXPECT_NE(out.find("TELEGRAM_BOT_TOKEN="), std::string::npos);
  EXPECT_NE(out.find("redis://:***@redis:6379/1"), std::string::npos);
  // And once registered, they are scrubbed from any text (logs, errors).
  EXPECT_EQ(redact("GET https://api.telegram.org/bot" + token + "/getMe key=" + key),
            "GET https://api.telegram.org/bot***/getMe key=***");
}

TEST(DotEnv, ParsesQuotesCommentsAndReportsBadLines) {
  std::vector<std::string> errors;
  auto m = parse_dotenv(
      "# comment\nA=1\nexport B = two words \nC=\"x\\ny\"\nD='#lit'\nbad line\n"
      "E=v # trailing\n",
      &errors);
  EXPECT_EQ(m["A"], "1");
  EXPECT_EQ(m["B"], "two words");
  EXPECT_EQ(m["C"], "x\ny");
  EXPECT_EQ(m["D"], "#lit");
  EXPECT_EQ(m["E"], "v");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("line 6"), std::string::npos);
}

// A default is written once, as the Config member's initialiser: the option table's default
// text is what the option shows for a default Config, and it parses back to that Config.
TEST(OptionTable, EachDefaultIsTheDefaultConfigsValue) {
  const Config defaults;
  for (const auto& spec : option_specs()) {
    EXPECT_EQ(spec.default_value, spec.show(defaults)) << spec.name;
    Config c;
    EXPECT_EQ(spec.apply(c, spec.default_value), std::nullopt) << spec.name;
    EXPECT_TRUE(c == defaults) << spec.name << "=" << spec.default_value
                               << " does not parse to the Config's default";
  }
}

// An option whose show() printed a fixed text would be a second place a default is written:
// every option's shown text follows the value set, and sets it again when parsed.
TEST(OptionTable, EachOptionShowsTheValueItWasSetTo) {
  const Config defaults;
  // Valid, non-default values for the kinds of option there are (numbers, switches, choices,
  // lists, addresses); short enough that a secret option does not register them as secrets.
  const std::vector<std::string> candidates = {"7",
                                               "1",
                                               "2",
                                               "5000",
                                               "8000",
                                               "0.5",
                                               "on",
                                               "off",
                                               "groq",
                                               "memory",
                                               "worker",
                                               "json",
                                               "en",
                                               "debug",
                                               "1,2",
                                               "48k",
                                               "127.0.0.1:1",
                                               "http://example.test",
                                               "redis://example.test:1/2"};
  for (const auto& spec : option_specs()) {
    Config changed;
    std::string set;
    for (const auto& v : candidates) {
      Config c;
      if (!spec.apply(c, v) && !(c == defaults)) {
        changed = c;
        set = v;
        break;
      }
    }
    ASSERT_FALSE(set.empty()) << spec.name << ": no test value changes it; add one above";
    std::string shown = spec.show(changed);
    EXPECT_NE(shown, spec.default_value) << spec.name << "=" << set << " still shows the default";
    Config again;
    EXPECT_EQ(spec.apply(again, shown), std::nullopt) << spec.name << "=" << shown;
    EXPECT_TRUE(again == changed) << spec.name << ": " << set << " shows as " << shown
                                  << ", which parses to another value";
    EXPECT_EQ(spec.apply(changed, spec.default_value), std::nullopt) << spec.name;
    EXPECT_TRUE(changed == defaults) << spec.name << ": its default does not restore the default";
  }
}

// docs/configuration.md must document every option the loader knows.
TEST(ConfigDocs, EveryOptionIsDocumented) {
  std::string doc = testing::read_file(std::string(TGSCRIBE_SOURCE_DIR) + "/docs/configuration.md");
  ASSERT_FALSE(doc.empty()) << "docs/configuration.md is missing";
  for (const auto& spec : option_specs()) {
    EXPECT_NE(doc.find("`" + spec.name + "`"), std::string::npos)
        << spec.name << " is not documented in docs/configuration.md";
  }
}

}  // namespace
}  // namespace tgscribe::config
