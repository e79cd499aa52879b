// Pacing to the engine's rate limits, through the real binary against the fake Groq enforcing
// Groq's limits (429 with Retry-After and x-ratelimit-* headers, like the service). The
// windows are the real ones (a minute, an hour); the tests stay short by using small limits
// and one window's worth of requests: what is over the budget must wait, and the test checks
// it is told so instead of being sent into a 429.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "e2e/bot_deployment.h"
#include "store/testing/redis_server.h"
#include "support/test_util.h"

namespace tgscribe {
namespace {

using engine::testing::FakeRateLimits;
using engine::testing::FakeReply;
using testing::BotDeployment;
using testing::eventually;

constexpr const char* kPacedText = "rate budget is spent";

class Pacing : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::spoken_clip().empty()) GTEST_SKIP() << "espeak-ng/ffmpeg could not make a clip";
  }

  size_t edits_with(int64_t chat, const std::string& needle) const {
    size_t n = 0;
    for (const auto& c : d_.tg.calls()) {
      n += c.method == "editMessageText" && c.status == 200 && c.chat_id() == chat &&
           c.text().find(needle) != std::string::npos;
    }
    return n;
  }
  size_t chats_answered(int64_t first, int n) const {
    size_t done = 0;
    for (int i = 0; i < n; ++i) done += d_.answered(first + i);
    return done;
  }
  size_t chats_told_to_wait(int64_t first, int n) const {
    size_t told = 0;
    for (int i = 0; i < n; ++i) told += edits_with(first + i, kPacedText) > 0;
    return told;
  }
  size_t failures(int64_t first, int n) const {
    size_t f = 0;
    for (int i = 0; i < n; ++i) f += d_.messages_with(first + i, "failed") > 0;
    return f;
  }

  BotDeployment d_;
};

// 3 requests per minute; 5 voice notes at once. Three are transcribed at once, two would
// have to wait most of a minute: more than PACING_MAX_WAIT_S, so they wait in the queue and
// their status says how long. Nothing is sent over the limit, and the minute's budget is used.
TEST_F(Pacing, RequestsPerMinuteAreNeverExceeded) {
  FakeRateLimits limits;
  limits.requests_per_minute = 3;
  limits.audio_seconds_per_hour = 0;
  d_.engine.enforce_rate_limits(limits);
  d_.start("bot", {{"GROQ_RPM", "3"},
                   {"GROQ_AUDIO_SECONDS_PER_HOUR", "0"},
                   {"PACING_MAX_WAIT_S", "2"},
                   {"QUEUE_MAX_WORKERS", "5"}});
  ASSERT_TRUE(d_.wait_healthy("bot")) << d_.logs();
  constexpr int64_t kChat = 5100;
  constexpr int kNotes = 5;
  for (int i = 0; i < kNotes; ++i) d_.push_voice(kChat + i, d_.add_voice(i));

  bool settled = eventually(
      [&] { return chats_answered(kChat, kNotes) == 3 && chats_told_to_wait(kChat, kNotes) == 2; },
      std::chrono::seconds(40));
  auto usage = d_.engine.rate_usage();
  EXPECT_TRUE(settled) << "answered " << chats_answered(kChat, kNotes) << ", told to wait "
                       << chats_told_to_wait(kChat, kNotes) << "\n"
                       << d_.logs();
  EXPECT_EQ(usage.refused, 0) << "requests sent into a 429\n" << d_.logs(60);
  EXPECT_EQ(usage.accepted, 3) << "the minute's budget used fully, and not more";
  EXPECT_EQ(failures(kChat, kNotes), 0u) << "waiting for the budget is not a failure";
  // The wait is told in words: about a minute, not an error.
  for (int i = 0; i < kNotes; ++i) {
    if (edits_with(kChat + i, kPacedText) == 0) continue;
    EXPECT_GT(edits_with(kChat + i, "starting again in about"), 0u);
    EXPECT_EQ(edits_with(kChat + i, "less than a minute") + edits_with(kChat + i, "1 min") +
                  edits_with(kChat + i, "2 min"),
              edits_with(kChat + i, kPacedText))
        << "a wait of about a minute";
  }
}

// An hour's audio budget of 40 s is 4 voice notes (Groq bills at least 10 s each). The 5th and
// 6th wait in the queue for the hour; a note sent afterwards hears at once that it will be
// about an hour.
TEST_F(Pacing, HourlyAudioBudgetSpentJobsWaitAndSayHowLong) {
  FakeRateLimits limits;
  limits.requests_per_minute = 20;
  limits.audio_seconds_per_hour = 40;
  d_.engine.enforce_rate_limits(limits);
  d_.start("bot", {{"GROQ_RPM", "20"},
                   {"GROQ_AUDIO_SECONDS_PER_HOUR", "40"},
                   {"PACING_MAX_WAIT_S", "5"},
                   {"QUEUE_MAX_WORKERS", "3"}});
  ASSERT_TRUE(d_.wait_healthy("bot")) << d_.logs();
  constexpr int64_t kChat = 5200;
  constexpr int kNotes = 6;
  for (int i = 0; i < kNotes; ++i) d_.push_voice(kChat + i, d_.add_voice(i));
  bool settled = eventually(
      [&] { return chats_answered(kChat, kNotes) == 4 && chats_told_to_wait(kChat, kNotes) == 2; },
      std::chrono::seconds(40));
  EXPECT_TRUE(settled) << "answered " << chats_answered(kChat, kNotes) << ", told to wait "
                       << chats_told_to_wait(kChat, kNotes) << "\n"
                       << d_.logs();
  for (int i = 0; i < kNotes; ++i) {
    if (edits_with(kChat + i, kPacedText) == 0) continue;
    EXPECT_GT(edits_with(kChat + i, "about 1 h"), 0u) << "the hour's budget frees in an hour";
  }

  // A later note: its first status reply already says it will take about an hour.
  constexpr int64_t kLate = 5299;
  d_.push_voice(kLate, d_.add_voice(99));
  EXPECT_TRUE(eventually([&] { return d_.messages_with(kLate, "Ready in about 1 h") > 0; },
                         std::chrono::seconds(20)))
      << d_.logs(60);

  auto usage = d_.engine.rate_usage();
  EXPECT_EQ(usage.refused, 0) << "requests sent into a 429\n" << d_.logs(60);
  EXPECT_EQ(usage.billed_audio_s, 40) << "the hour's budget used fully, and not more";
  EXPECT_EQ(failures(kChat, kNotes), 0u);
}

// Two worker processes on one Redis share the engine's budget: together they send no more
// than the minute allows.
TEST_F(Pacing, TwoInstancesOnRedisShareTheBudget) {
  if (auto why = store::testing::RedisServer::unavailable_reason()) GTEST_SKIP() << *why;
  store::testing::RedisServer redis;
  d_.use_redis(redis.url());
  FakeRateLimits limits;
  limits.requests_per_minute = 3;
  limits.audio_seconds_per_hour = 0;
  d_.engine.enforce_rate_limits(limits);
  // Each answer takes a while, so the first process's workers are busy and the second one's
  // claim the other notes: both ask the one budget.
  d_.engine.set_responder([](const engine::testing::FakeRequest&) {
    return engine::testing::FakeReply::transcript().after(std::chrono::milliseconds(1500));
  });
  std::map<std::string, std::string> env = {{"GROQ_RPM", "3"},
                                            {"GROQ_AUDIO_SECONDS_PER_HOUR", "0"},
                                            {"PACING_MAX_WAIT_S", "2"},
                                            {"QUEUE_MAX_WORKERS", "3"}};
  d_.start("a", env);
  env["BOT_ROLE"] = "worker";
  env["DATA_DIR"] = (d_.dir / "data-b").string();
  d_.start("b", env);
  ASSERT_TRUE(d_.wait_healthy("a") && d_.wait_healthy("b")) << d_.logs();
  constexpr int64_t kChat = 5300;
  constexpr int kNotes = 6;
  for (int i = 0; i < kNotes; ++i) d_.push_voice(kChat + i, d_.add_voice(i));
  bool settled = eventually(
      [&] { return chats_answered(kChat, kNotes) == 3 && chats_told_to_wait(kChat, kNotes) == 3; },
      std::chrono::seconds(40));
  EXPECT_TRUE(settled) << "answered " << chats_answered(kChat, kNotes) << ", told to wait "
                       << chats_told_to_wait(kChat, kNotes) << "\n"
                       << d_.logs();
  auto usage = d_.engine.rate_usage();
  EXPECT_EQ(usage.refused, 0) << d_.logs(60);
  EXPECT_EQ(usage.accepted, 3);
  // Both processes did work: the budget was shared, not one process doing it all.
  EXPECT_NE(d_.log_of("a").find("claimed by"), std::string::npos);
  EXPECT_NE(d_.log_of("b").find("claimed by"), std::string::npos);
}

// A 429 whose x-ratelimit headers say the requests are spent for 3 s more (Retry-After 0, so
// the engine client asks again at once and the pacer is what makes it wait): more than
// PACING_MAX_WAIT_S, so the job is deferred to the queue. The engine says so twice; with
// QUEUE_MAX_RETRIES=0 (one claim allowed) the job is still delivered, exactly once, because
// waiting for the budget is not a retry (issue 13).
void deferred_twice_then_delivered(BotDeployment& d, int64_t chat) {
  FakeReply spent = FakeReply::error(429, "0", R"({"error":{"message":"rate limit reached"}})");
  spent.headers["x-ratelimit-limit-requests"] = "20";
  spent.headers["x-ratelimit-remaining-requests"] = "0";
  spent.headers["x-ratelimit-reset-requests"] = "3s";
  d.engine.script_next(spent);
  d.engine.script_next(spent);
  d.start("bot", {{"QUEUE_MAX_RETRIES", "0"},
                  {"PACING_MAX_WAIT_S", "1"},
                  {"ENGINE_MAX_RETRIES", "2"},
                  {"QUEUE_MAX_WORKERS", "1"}});
  ASSERT_TRUE(d.wait_healthy("bot")) << d.logs();
  d.push_voice(chat, d.add_voice(7));

  // Given up (the bug) ends the wait early as well.
  EXPECT_TRUE(eventually(
      [&] { return d.answered(chat) || d.messages_with(chat, "will not be tried again") > 0; },
      std::chrono::seconds(40)))
      << d.logs();
  EXPECT_EQ(d.transcripts_in(chat), 1u) << "delivered exactly once\n" << d.logs(60);
  EXPECT_EQ(d.messages_with(chat, "failed"), 0u) << d.logs(60);
  EXPECT_EQ(d.messages_with(chat, "will not be tried again"), 0u);
  EXPECT_EQ(d.engine.requests().size(), 3u) << "two answers said wait, the third transcribed";

  // The store's view through `tgscribe jobs list`: three claims, two of them deferrals given
  // back to the budget, none counted against QUEUE_MAX_RETRIES beyond the one that delivered.
  auto r = testing::run_process({testing::tgscribe_binary(), "jobs", "list", "--json"}, d.env, {},
                                std::chrono::seconds(30), d.dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto list = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(list.is_array()) << r.out;
  nlohmann::json job;
  for (const auto& j : list) {
    if (j.value("user_id", int64_t{0}) == chat) job = j;
  }
  ASSERT_TRUE(job.is_object()) << "no job of user " << chat << " in " << r.out;
  EXPECT_EQ(job.value("state", ""), "delivered");
  EXPECT_EQ(job.value("attempts", -1), 3) << "claimed three times: deferred at least twice";
  EXPECT_EQ(job.value("budget_base", -1), 2) << "each deferral gave its claim back";
}

TEST_F(Pacing, DeferralsDoNotUseUpTheRetryBudget) { deferred_twice_then_delivered(d_, 5400); }

TEST_F(Pacing, DeferralsDoNotUseUpTheRetryBudgetOnRedis) {
  if (auto why = store::testing::RedisServer::unavailable_reason()) GTEST_SKIP() << *why;
  store::testing::RedisServer redis;
  d_.use_redis(redis.url());
  deferred_twice_then_delivered(d_, 5500);
}

}  // namespace
}  // namespace tgscribe
