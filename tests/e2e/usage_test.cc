// Usage, cost and quotas through the real binary (issue 13), against the fake Telegram and the
// fake Groq: /usage and /stats show what the fake engine counted (requests, audio seconds,
// Groq's 10 s minimum), a cache answer costs and counts nothing, /forget removes a user's
// figures, a media message over the daily quota is refused before anything is downloaded and
// says when the quota resets (English and Indonesian), admins are exempt, and the global
// quota is one counter for an ingest and a worker instance on Redis.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <regex>

#include "e2e/bot_deployment.h"
#include "store/testing/redis_server.h"
#include "support/prometheus_text.h"

namespace tgscribe {
namespace {

using engine::testing::FakeRequest;
using telegram::testing::FakeFile;
using telegram::testing::MessageSpec;
using testing::BotDeployment;

constexpr int64_t kAdmin = 900;

// The engine requests the fake answered with a transcript.
std::vector<FakeRequest> answered(const engine::testing::FakeOpenAi& engine) {
  std::vector<FakeRequest> out;
  for (auto& r : engine.requests()) {
    if (r.status == 200) out.push_back(std::move(r));
  }
  return out;
}

double audio_seconds(const std::vector<FakeRequest>& requests) {
  double s = 0;
  for (const auto& r : requests) s += r.duration_s;
  return s;
}

// Groq's rule, counted independently of the bot: 10 s at least, whole seconds.
double groq_billed(const std::vector<FakeRequest>& requests) {
  double s = 0;
  for (const auto& r : requests) s += std::max(10.0, std::ceil(r.duration_s - 1e-9));
  return s;
}

// "4.6 s" or "2.5 min" in seconds.
double seconds_of(const std::string& number, const std::string& unit) {
  return std::stod(number) * (unit == "min" ? 60 : 1);
}

// Seconds until the next 00:00 UTC, by this test's clock.
int64_t seconds_to_utc_midnight() {
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  return 86400 - now % 86400;
}

// "in 5:12:03" / "in 12:03" -> seconds, from the first countdown in the text; -1 when absent.
int64_t reset_in_seconds(const std::string& text) {
  std::smatch m;
  static const std::regex hms(R"((\d+):(\d\d):(\d\d))");
  static const std::regex ms(R"((\d+):(\d\d))");
  if (std::regex_search(text, m, hms)) {
    return std::stoll(m[1]) * 3600 + std::stoll(m[2]) * 60 + std::stoll(m[3]);
  }
  if (std::regex_search(text, m, ms)) return std::stoll(m[1]) * 60 + std::stoll(m[2]);
  return -1;
}

class Usage : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(testing::spoken_clip().empty()) << "espeak-ng or ffmpeg failed";
    d_.env["ADMIN_USER_IDS"] = std::to_string(kAdmin);
  }

  void start_bot(const std::map<std::string, std::string>& extra = {}) {
    d_.start("bot", extra);
    ASSERT_TRUE(d_.wait_healthy("bot")) << d_.logs();
  }

  // The bot's texts in `chat` containing `needle` (messages as sent).
  std::vector<std::string> texts_with(int64_t chat, const std::string& needle) {
    std::vector<std::string> out;
    for (const auto& c : d_.delivered()) {
      if (c.method == "sendMessage" && c.chat_id() == chat &&
          c.text().find(needle) != std::string::npos) {
        out.push_back(c.text());
      }
    }
    return out;
  }

  // Sends `command` as `user` in their private chat and returns the new answer containing
  // `needle` ("" after 20 s without one).
  std::string ask(int64_t user, const std::string& command, const std::string& needle,
                  const std::string& language_code = "en") {
    size_t before = texts_with(user, needle).size();
    d_.tg.push_text(MessageSpec{.chat_id = user, .user_id = user, .language_code = language_code},
                    command);
    if (!testing::eventually([&] { return texts_with(user, needle).size() > before; })) return "";
    return texts_with(user, needle).back();
  }

  // A voice note from `user`, declared `duration_s` long by Telegram.
  void send_voice(int64_t user, const FakeFile& file, int duration_s,
                  const std::string& language_code = "en") {
    d_.tg.push_media(MessageSpec{.chat_id = user, .user_id = user, .language_code = language_code},
                     "voice", file, duration_s);
  }

  bool wait_transcripts(int64_t chat, size_t n) {
    return testing::eventually([&] { return d_.transcripts_in(chat) >= n; },
                               std::chrono::seconds(30));
  }

  size_t get_files_for(const FakeFile& file) {
    size_t n = 0;
    for (const auto& c : d_.tg.calls("getFile")) {
      n += c.params.value("file_id", std::string()) == file.file_id;
    }
    return n;
  }

  testing::PromExposition metrics(const std::string& name) {
    httplib::Client c("127.0.0.1", d_.proc(name).ops_port);
    c.set_connection_timeout(2);
    c.set_read_timeout(5);
    auto r = c.Get("/metrics");
    return testing::parse_prometheus_text(r && r->status == 200 ? r->body : "");
  }
  static double sample(const testing::PromExposition& e, const std::string& family,
                       const std::map<std::string, std::string>& labels) {
    auto it = e.families.find(family);
    if (it == e.families.end()) return -1;
    for (const auto& s : it->second.samples) {
      if (s.labels == labels) return s.value;
    }
    return -1;
  }

  std::unique_ptr<store::testing::RedisServer> redis_;  // before d_: outlives the processes
  BotDeployment d_;
};

TEST_F(Usage, UsageAndStatsShowWhatTheEngineCountedAndForgetRemovesIt) {
  start_bot();
  const int64_t ann = 601, bob = 602;
  // Every series a dashboard plots is there before anything happened.
  auto first = metrics("bot");
  EXPECT_EQ(sample(first, "tgscribe_engine_billed_seconds_total", {{"engine", "groq"}}), 0);
  EXPECT_EQ(sample(first, "tgscribe_engine_cost_usd_total", {{"engine", "groq"}}), 0);
  EXPECT_EQ(sample(first, "tgscribe_llm_tokens_total", {{"provider", "groq"}, {"kind", "prompt"}}),
            0);
  EXPECT_EQ(sample(first, "tgscribe_quota_refusals_total", {{"scope", "user"}}), 0);
  EXPECT_EQ(sample(first, "tgscribe_quota_refusals_total", {{"scope", "global"}}), 0);

  FakeFile a1 = d_.add_voice(11), a2 = d_.add_voice(12), b1 = d_.add_voice(13);
  send_voice(ann, a1, 3);
  send_voice(ann, a2, 3);
  ASSERT_TRUE(wait_transcripts(ann, 2)) << d_.logs();
  std::vector<FakeRequest> ann_requests = answered(d_.engine);
  send_voice(bob, b1, 3);
  ASSERT_TRUE(wait_transcripts(bob, 1)) << d_.logs();
  std::vector<FakeRequest> all = answered(d_.engine);
  ASSERT_EQ(ann_requests.size(), 2u);
  ASSERT_EQ(all.size(), 3u);

  // The same voice note again: answered from the cache, no engine request, counts nothing.
  send_voice(ann, a1, 3);
  ASSERT_TRUE(wait_transcripts(ann, 3)) << d_.logs();
  EXPECT_EQ(answered(d_.engine).size(), 3u);

  std::smatch m;
  std::string usage = ask(ann, "/usage", "Your usage");
  ASSERT_FALSE(usage.empty()) << d_.logs();
  ASSERT_TRUE(
      std::regex_search(usage, m, std::regex(R"(Today: ([0-9.]+) min of audio, (\d+) requests)")))
      << usage;
  EXPECT_NEAR(std::stod(m[1]), audio_seconds(ann_requests) / 60, 0.006) << usage;
  EXPECT_EQ(std::stoi(m[2]), 2) << usage;
  EXPECT_NE(usage.find("This month:"), std::string::npos) << usage;
  EXPECT_NE(usage.find("no daily quota"), std::string::npos) << usage;

  std::string stats = ask(kAdmin, "/stats", "Cost: today");
  ASSERT_FALSE(stats.empty()) << d_.logs();
  ASSERT_TRUE(std::regex_search(
      stats, m,
      std::regex(R"(groq: (\d+) requests, ([0-9.]+) (s|min) audio, ([0-9.]+) (s|min) billed)")))
      << stats;
  EXPECT_EQ(std::stoi(m[1]), 3) << stats;
  EXPECT_NEAR(seconds_of(m[2], m[3]), audio_seconds(all), 0.06) << stats;
  EXPECT_NEAR(seconds_of(m[4], m[5]), groq_billed(all), 0.06) << stats;
  // What the cache answered: the voice note's 3 s, as Telegram stated them.
  ASSERT_TRUE(std::regex_search(stats, m, std::regex(R"(Cache savings: today ([0-9.]+) s)")))
      << stats;
  EXPECT_DOUBLE_EQ(std::stod(m[1]), 3.0) << stats;
  // Ann used more than Bob.
  size_t ann_rank = stats.find("1. 601:"), bob_rank = stats.find("2. 602:");
  EXPECT_NE(ann_rank, std::string::npos) << stats;
  EXPECT_NE(bob_rank, std::string::npos) << stats;
  // Cost at Groq's list price for the billed seconds.
  ASSERT_TRUE(std::regex_search(stats, m, std::regex(R"(Cost: today \$([0-9.]+))"))) << stats;
  EXPECT_NEAR(std::stod(m[1]), groq_billed(all) / 3600 * 0.04, 0.00006) << stats;

  auto after = metrics("bot");
  EXPECT_NEAR(sample(after, "tgscribe_engine_billed_seconds_total", {{"engine", "groq"}}),
              groq_billed(all), 1e-6);
  EXPECT_NEAR(sample(after, "tgscribe_engine_cost_usd_total", {{"engine", "groq"}}),
              groq_billed(all) / 3600 * 0.04, 1e-9);

  // /forget: Ann's figures go; the bill for the day stays whole.
  ASSERT_FALSE(ask(ann, "/forget", "Done.").empty()) << d_.logs();
  usage = ask(ann, "/usage", "Your usage");
  EXPECT_NE(usage.find("Today: 0.00 min of audio, 0 requests"), std::string::npos) << usage;
  stats = ask(kAdmin, "/stats", "Cost: today");
  EXPECT_EQ(stats.find("601:"), std::string::npos) << stats;
  EXPECT_NE(stats.find("1. 602:"), std::string::npos) << stats;
  EXPECT_NE(stats.find("groq: 3 requests"), std::string::npos) << stats;
}

TEST_F(Usage, OverTheUserQuotaIsRefusedBeforeDownloadAndToldWhenItResets) {
  start_bot({{"QUOTA_USER_DAILY_MIN", "1"}});
  const int64_t cat = 611, dian = 612;
  FakeFile small = d_.add_voice(31), big = d_.add_voice(32), big_id = d_.add_voice(33),
           admin_big = d_.add_voice(34);

  send_voice(cat, small, 3);
  ASSERT_TRUE(wait_transcripts(cat, 1)) << d_.logs();
  size_t requests = answered(d_.engine).size();

  // Two minutes would take Cat past her one minute.
  send_voice(cat, big, 120);
  ASSERT_TRUE(testing::eventually([&] { return !texts_with(cat, "00:00 UTC").empty(); }))
      << d_.logs();
  std::string refusal = texts_with(cat, "00:00 UTC").back();
  EXPECT_NE(refusal.find("of your 1.00 minutes"), std::string::npos) << refusal;
  EXPECT_NE(refusal.find("2:00 long"), std::string::npos) << refusal;
  // Past the "00:00 UTC" itself, which would read as a countdown of zero.
  int64_t reset =
      reset_in_seconds(refusal.substr(refusal.find("00:00 UTC") + std::string("00:00 UTC").size()));
  // Modulo a day: the bot and this test may read their clocks on either side of midnight.
  int64_t off_by = std::abs(reset - seconds_to_utc_midnight()) % 86400;
  EXPECT_LE(std::min(off_by, 86400 - off_by), 120) << refusal;
  // Refused at intake: the file was never asked for, no job ran, the engine saw nothing.
  EXPECT_EQ(get_files_for(big), 0u);
  EXPECT_EQ(d_.transcripts_in(cat), 1u);
  EXPECT_EQ(answered(d_.engine).size(), requests);

  // In Indonesian for a user whose Telegram speaks it.
  send_voice(dian, big_id, 120, "id");
  ASSERT_TRUE(testing::eventually([&] { return !texts_with(dian, "direset").empty(); }))
      << d_.logs();
  EXPECT_NE(texts_with(dian, "direset").back().find("00:00 UTC"), std::string::npos);
  EXPECT_EQ(get_files_for(big_id), 0u);

  // /usage tells what is left, and when it comes back.
  std::string usage = ask(cat, "/usage", "Your usage");
  EXPECT_NE(usage.find("Daily quota:"), std::string::npos) << usage;
  EXPECT_NE(usage.find("of 1.00 min left"), std::string::npos) << usage;

  // Admins are exempt.
  send_voice(kAdmin, admin_big, 120);
  ASSERT_TRUE(wait_transcripts(kAdmin, 1)) << d_.logs();
  EXPECT_EQ(get_files_for(admin_big), 1u);

  EXPECT_EQ(sample(metrics("bot"), "tgscribe_quota_refusals_total", {{"scope", "user"}}), 2);
}

TEST_F(Usage, CacheAnswersAreNeverRefusedByTheQuota) {
  start_bot({{"QUOTA_USER_DAILY_MIN", "0.05"}});  // 3 s
  const int64_t eka = 621;
  FakeFile note = d_.add_voice(41);
  send_voice(eka, note, 2);
  ASSERT_TRUE(wait_transcripts(eka, 1)) << d_.logs();
  // Whatever the clip's length, the quota is now used up or nearly: a 60 s note is refused...
  send_voice(eka, d_.add_voice(42), 60);
  ASSERT_TRUE(testing::eventually([&] { return !texts_with(eka, "00:00 UTC").empty(); }))
      << d_.logs();
  // ... but the same note again comes from the cache, whatever the quota says (stated as a
  // minute long, it would be refused if the quota were asked).
  send_voice(eka, note, 60);
  ASSERT_TRUE(wait_transcripts(eka, 2)) << d_.logs();
  EXPECT_EQ(answered(d_.engine).size(), 1u);
}

TEST_F(Usage, GlobalQuotaIsOneCounterForAllInstancesOnRedis) {
  if (auto why = store::testing::RedisServer::unavailable_reason()) GTEST_SKIP() << *why;
  redis_ = std::make_unique<store::testing::RedisServer>();
  d_.use_redis(redis_->url());
  const std::string limit_min = "0.2";  // 12 s for everyone
  d_.start("ingest", {{"BOT_ROLE", "ingest"},
                      {"QUOTA_GLOBAL_DAILY_MIN", limit_min},
                      {"DATA_DIR", (d_.dir / "data-ingest").string()}});
  d_.start("worker", {{"BOT_ROLE", "worker"},
                      {"QUOTA_GLOBAL_DAILY_MIN", limit_min},
                      {"DATA_DIR", (d_.dir / "data-worker").string()}});
  ASSERT_TRUE(d_.wait_healthy("ingest")) << d_.logs();
  ASSERT_TRUE(d_.wait_healthy("worker")) << d_.logs();

  FakeFile first = d_.add_voice(51), over = d_.add_voice(52), fits = d_.add_voice(53);
  send_voice(701, first, 3);
  ASSERT_TRUE(wait_transcripts(701, 1)) << d_.logs();
  double used = audio_seconds(answered(d_.engine));
  ASSERT_GT(used, 0);
  ASSERT_LT(used, 10) << "the spoken clip is longer than this test assumes";

  // The worker booked it; the ingest instance, another process, refuses what does not fit.
  int too_long = static_cast<int>(std::ceil(12 - used)) + 2;
  send_voice(702, over, too_long);
  ASSERT_TRUE(testing::eventually([&] { return !texts_with(702, "for everyone").empty(); }))
      << d_.logs();
  EXPECT_NE(texts_with(702, "for everyone").back().find("00:00 UTC"), std::string::npos);
  EXPECT_EQ(get_files_for(over), 0u);

  // What still fits goes through.
  send_voice(703, fits, 1);
  ASSERT_TRUE(wait_transcripts(703, 1)) << d_.logs();
  EXPECT_EQ(sample(metrics("ingest"), "tgscribe_quota_refusals_total", {{"scope", "global"}}), 1);
}

}  // namespace
}  // namespace tgscribe
