#include "app/doctor_checks.h"

#include <gtest/gtest.h>

#include "support/test_util.h"

namespace tgscribe::app::doctor {
namespace {

using nlohmann::json;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(DoctorChecks, UrlHost) {
  EXPECT_EQ(url_host("https://api.telegram.org"), "api.telegram.org");
  EXPECT_EQ(url_host("https://API.Telegram.org/"), "api.telegram.org");
  EXPECT_EQ(url_host("http://127.0.0.1:8081/path?x=1"), "127.0.0.1");
  EXPECT_EQ(url_host("http://user:pw@bot-api:8081"), "bot-api");
  EXPECT_EQ(url_host("http://[::1]:8081/"), "::1");
  EXPECT_EQ(url_host("api.telegram.org"), "");
}

TEST(DoctorChecks, LocalModeOnTheCloudApiIsAConfigurationError) {
  config::Config c;
  c.telegram_local_mode = true;
  auto r = assess_api_mode(c);
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_TRUE(r.configuration);
  EXPECT_TRUE(has(r.detail, "TELEGRAM_LOCAL_MODE")) << r.detail;
}

TEST(DoctorChecks, ALocalServerWithoutLocalModeWarnsOfTheDownloadLimit) {
  config::Config c;
  c.telegram_api_url = "http://telegram-bot-api:8081";
  auto r = assess_api_mode(c);
  EXPECT_EQ(r.status, Status::kWarn);
  EXPECT_TRUE(has(r.detail, "20 MB")) << r.detail;
  EXPECT_TRUE(has(r.detail, "telegram-bot-api")) << r.detail;
  c.telegram_local_mode = true;
  EXPECT_EQ(assess_api_mode(c).status, Status::kOk);
  c = config::Config{};
  r = assess_api_mode(c);
  EXPECT_EQ(r.status, Status::kOk);
  EXPECT_TRUE(has(r.detail, "cloud")) << r.detail;
}

TEST(DoctorChecks, WebhookInPollingMode) {
  config::Config c;
  auto r = assess_webhook(c, json{{"url", ""}, {"pending_update_count", 3}}, 1000);
  EXPECT_EQ(r.status, Status::kOk);
  EXPECT_TRUE(has(r.detail, "long polling")) << r.detail;
  EXPECT_TRUE(has(r.detail, "3 updates waiting")) << r.detail;
  // A webhook left behind: the bot deletes it at start, so it works, but say so.
  r = assess_webhook(c, json{{"url", "https://old.example/hook"}, {"pending_update_count", 1}},
                     1000);
  EXPECT_EQ(r.status, Status::kWarn);
  EXPECT_TRUE(has(r.detail, "https://old.example/hook")) << r.detail;
  EXPECT_TRUE(has(r.detail, "1 update waiting")) << r.detail;
}

TEST(DoctorChecks, WebhookInWebhookMode) {
  config::Config c;
  c.webhook_url = "https://bot.example/tg";
  auto r =
      assess_webhook(c, json{{"url", "https://bot.example/tg"}, {"pending_update_count", 0}}, 1000);
  EXPECT_EQ(r.status, Status::kOk);
  EXPECT_TRUE(has(r.detail, "https://bot.example/tg")) << r.detail;
  EXPECT_EQ(assess_webhook(c, json{{"url", ""}}, 1000).status, Status::kWarn);
  r = assess_webhook(c, json{{"url", "https://other.example/x"}}, 1000);
  EXPECT_EQ(r.status, Status::kWarn);
  EXPECT_TRUE(has(r.detail, "another instance")) << r.detail;
}

TEST(DoctorChecks, WebhookDeliveryErrorIsAWarningWithItsAge) {
  config::Config c;
  c.webhook_url = "https://bot.example/tg";
  json info = {{"url", "https://bot.example/tg"},
               {"pending_update_count", 42},
               {"last_error_date", 1000 - 600},
               {"last_error_message", "Connection refused"}};
  auto r = assess_webhook(c, info, 1000);
  EXPECT_EQ(r.status, Status::kWarn);
  EXPECT_TRUE(has(r.detail, "10 min ago: Connection refused")) << r.detail;
  EXPECT_TRUE(has(r.detail, "42 updates waiting")) << r.detail;
  EXPECT_EQ(assess_webhook(c, json::array(), 1000).status, Status::kFail);
}

TEST(DoctorChecks, FreeSpaceWantsTwiceTheLargestFileAndAtLeastOneGigabyte) {
  config::Config c;
  c.max_file_size_mb = 2000;
  EXPECT_EQ(wanted_free_bytes(c), 4'000'000'000u);
  EXPECT_TRUE(low_space_warning(c, 4'000'000'000u).empty());
  EXPECT_TRUE(has(low_space_warning(c, 3'500'000'000u), "only 3.5 GB free"))
      << low_space_warning(c, 3'500'000'000u);
  c.max_file_size_mb = 20;
  EXPECT_EQ(wanted_free_bytes(c), 1'000'000'000u);
  EXPECT_FALSE(low_space_warning(c, 999'000'000u).empty());
  EXPECT_TRUE(low_space_warning(c, 1'000'000'000u).empty());
}

TEST(DoctorChecks, ConfiguredEnginesFollowTheFallbackChainWithoutDuplicates) {
  config::Config c;
  c.transcriber = "groq";
  c.transcriber_fallback = {"openai", "Groq", " sphinx ", "openai"};
  EXPECT_EQ(configured_engines(c), (std::vector<std::string>{"groq", "openai", "sphinx"}));
  c = config::Config{};
  EXPECT_EQ(configured_engines(c), (std::vector<std::string>{"sphinx"}));
  c.deepgram_api_key = "k";
  c.transcriber_fallback = {"auto", "sphinx"};
  EXPECT_EQ(configured_engines(c), (std::vector<std::string>{"deepgram", "sphinx"}));
}

TEST(DoctorChecks, ProbeCostNamesTheServiceAndItsMinimumBilling) {
  EXPECT_EQ(probe_cost("groq", "https://api.groq.com/openai/v1", 1.0, 10),
            "1 request, ~10 s billed on Groq");
  EXPECT_EQ(probe_cost("openai", "https://api.openai.com/v1", 1.0, 0),
            "1 request, ~1 s billed on OpenAI");
  EXPECT_EQ(probe_cost("deepgram", "https://api.deepgram.com", 1.0, 0),
            "1 request, ~1 s billed on Deepgram");
  EXPECT_EQ(probe_cost("openai", "http://whisper.lan:8080/v1", 1.0, 0),
            "1 request with 1 s of audio to whisper.lan");
  EXPECT_EQ(probe_cost("sphinx", "", 1.0, 0), "offline, no cost");
}

TEST(DoctorChecks, ConfigErrorsAreEachAConfigurationFailure) {
  config::LoadResult loaded;
  loaded.errors = {"CACHE_TYPE: must be memory, sqlite or redis", "QUEUE_MAX_WORKERS: bad"};
  auto lines = check_config(loaded);
  ASSERT_EQ(lines.size(), 2u);
  for (const auto& l : lines) {
    EXPECT_EQ(l.status, Status::kFail);
    EXPECT_TRUE(l.configuration);
  }
  EXPECT_EQ(lines[1].detail, "QUEUE_MAX_WORKERS: bad");
  loaded.errors.clear();
  lines = check_config(loaded);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].status, Status::kOk);
}

// The test clip is real media: Opus in the container the engine takes, about 1 s long.
TEST(DoctorChecks, ProbeClipIsOneSecondOfOpus) {
  testing::TempDir dir;
  auto ogg = make_probe_clip(dir.path(), true);
  EXPECT_EQ(ogg.filename, "doctor.ogg");
  EXPECT_NEAR(ogg.duration_s, 1.0, 0.1);
  auto ogg_bytes = testing::read_file(ogg.path);
  EXPECT_EQ(ogg_bytes.rfind("OggS", 0), 0u);
  EXPECT_NE(ogg_bytes.find("OpusHead"), std::string::npos);
  auto webm = make_probe_clip(dir.path(), false);
  EXPECT_EQ(webm.content_type, "audio/webm");
  auto webm_bytes = testing::read_file(webm.path);
  EXPECT_EQ(webm_bytes.rfind("\x1a\x45\xdf\xa3", 0), 0u);  // EBML magic
}

TEST(DoctorChecks, DataDirThatIsAFileFails) {
  testing::TempDir dir;
  testing::write_file(dir / "file", "x");
  config::Config c;
  c.data_dir = (dir / "file").string();
  EXPECT_EQ(check_data_dir(c).status, Status::kFail);
  c.data_dir = (dir / "file" / "data").string();
  auto r = check_data_dir(c);
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_TRUE(has(r.detail, "cannot be created")) << r.detail;
  c.data_dir = (dir / "new" / "data").string();
  r = check_data_dir(c);
  EXPECT_NE(r.status, Status::kFail) << r.detail;
  EXPECT_TRUE(has(r.detail, "does not exist yet")) << r.detail;
  EXPECT_FALSE(std::filesystem::exists(dir / "new"));  // doctor creates nothing
}

}  // namespace
}  // namespace tgscribe::app::doctor
