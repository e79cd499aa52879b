// Sender against the fake Bot API over real HTTP, with a fake clock: waits are logical, so the
// tests are fast and assert what was waited for rather than how long it took.
#include "telegram/sender.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <set>
#include <sstream>
#include <thread>

#include "common/metrics.h"
#include "common/testing/manual_clock.h"
#include "http/curl_http_client.h"
#include "support/test_util.h"
#include "telegram/testing/fake_bot_api.h"

namespace tgscribe::telegram {
namespace {

using namespace std::chrono_literals;
using testing::FakeBotApi;
using testing::Fault;
using tgscribe::testing::ManualClock;

class SenderTest : public ::testing::Test {
 protected:
  static BotApiOptions options(const FakeBotApi& tg) {
    BotApiOptions o;
    o.api_url = tg.url();
    o.token = tg.token();
    o.request_timeout = 10s;
    return o;
  }
  FakeBotApi tg;
  http::CurlHttpClient http;
  BotApi api{options(tg), http};
  ManualClock clock;
};

TEST_F(SenderTest, RetryAfterIsHonouredThenTheMessageIsSent) {
  Sender sender(api, {}, clock);
  tg.fail_next("sendMessage", 1, Fault::kRateLimit, 2);
  Message m = sender.send_message({.chat_id = 5, .text = "hi"});
  EXPECT_GT(m.message_id, 0);
  EXPECT_EQ(tg.call_count("sendMessage"), 2u);
  EXPECT_GE(clock.slept(), 2s);
  EXPECT_EQ(tg.chat_texts(5), std::vector<std::string>{"hi"});
}

TEST_F(SenderTest, AChatBlockedByRetryAfterHoldsItsNextMessages) {
  SenderOptions o;
  o.limits.chat_burst = 10;  // isolate the 429 block from the ordinary per-chat pacing
  Sender sender(api, o, clock);
  tg.fail_next("sendMessage", 1, Fault::kRateLimit, 3);
  sender.send_message({.chat_id = 5, .text = "a"});
  auto after_first = clock.slept();
  EXPECT_GE(after_first, 3s);
  sender.send_message({.chat_id = 6, .text = "other chat"});
  EXPECT_EQ(clock.slept(), after_first);  // other chats are not held up
}

TEST_F(SenderTest, TooLongRetryAfterFailsFastWithTheWait) {
  SenderOptions o;
  o.max_wait = 30s;
  Sender sender(api, o, clock);
  tg.fail_next("editMessageText", 1, Fault::kRateLimit, 120);
  auto m = sender.send_message({.chat_id = 5, .text = "queued"});
  try {
    sender.edit_message_text({.chat_id = 5, .message_id = m.message_id, .text = "10%"});
    FAIL() << "a 2-minute flood wait should not park the caller";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kRateLimited);
    EXPECT_EQ(e.retry_after(), 120s);
  }
  EXPECT_EQ(tg.call_count("editMessageText"), 1u);
  // The chat stays blocked: the next call fails without reaching Telegram.
  EXPECT_THROW(sender.send_message({.chat_id = 5, .text = "x"}), ApiError);
  EXPECT_EQ(tg.call_count("sendMessage"), 1u);
  clock.advance(121s);
  EXPECT_NO_THROW(sender.send_message({.chat_id = 5, .text = "x"}));
}

TEST_F(SenderTest, WithoutWaitingAChatsRetryAfterFailsAtOnceAndIsRemembered) {
  SenderOptions o;
  o.limits.chat_burst = 10;
  Sender sender(api, o, clock);
  tg.fail_next("sendMessage", 1, Fault::kRateLimit, 7);
  const CallOptions no_wait{.wait_for_chat = false};
  try {
    sender.send_message({.chat_id = 5, .text = "a"}, no_wait);
    FAIL() << "the caller asked not to wait out a retry_after";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kRateLimited);
    EXPECT_EQ(e.retry_after(), 7s);
  }
  EXPECT_EQ(clock.slept(), 0s);
  EXPECT_EQ(tg.call_count("sendMessage"), 1u);
  // The chat is still blocked: fails without asking Telegram, with what is left of the wait.
  clock.advance(2s);
  try {
    sender.send_message({.chat_id = 5, .text = "b"}, no_wait);
    FAIL() << "the chat is still blocked";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.retry_after(), 5s);
  }
  EXPECT_EQ(tg.call_count("sendMessage"), 1u);
  // Other chats go on at once.
  sender.send_message({.chat_id = 6, .text = "other chat"}, no_wait);
  EXPECT_EQ(clock.slept(), 0s);
  clock.advance(6s);
  sender.send_message({.chat_id = 5, .text = "c"}, no_wait);
  EXPECT_EQ(tg.chat_texts(5), std::vector<std::string>{"c"});
}

TEST_F(SenderTest, NotModifiedIsNotAnError) {
  Sender sender(api, {}, clock);
  auto m = sender.send_message({.chat_id = 5, .text = "same"});
  EXPECT_FALSE(
      sender.edit_message_text({.chat_id = 5, .message_id = m.message_id, .text = "same"}));
  EXPECT_TRUE(sender.edit_message_text({.chat_id = 5, .message_id = m.message_id, .text = "new"}));
  EXPECT_EQ(tg.message_text(5, m.message_id), "new");
  EXPECT_EQ(tg.call_count("editMessageText"), 2u);  // not retried
}

TEST_F(SenderTest, MigrationIsFollowedAndReported) {
  Sender sender(api, {}, clock);
  std::vector<std::pair<int64_t, int64_t>> seen;
  sender.set_migration_callback([&](int64_t from, int64_t to) { seen.emplace_back(from, to); });
  tg.migrate_chat(-4001, -1004001000000);
  auto m = sender.send_message({.chat_id = -4001, .text = "transcript"});
  EXPECT_EQ(m.chat.id, -1004001000000);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], std::make_pair(int64_t{-4001}, int64_t{-1004001000000}));
  EXPECT_EQ(tg.chat_texts(-1004001000000), std::vector<std::string>{"transcript"});
  EXPECT_EQ(sender.resolve_chat(-4001), -1004001000000);
  // Later sends go straight to the new chat.
  tg.clear_calls();
  auto path = tgscribe::testing::TempDir();
  tgscribe::testing::write_file(path / "t.txt", "text");
  sender.send_document({.chat_id = -4001, .file = path / "t.txt"});
  ASSERT_EQ(tg.call_count("sendDocument"), 1u);
  EXPECT_EQ(tg.calls("sendDocument")[0].chat_id(), -1004001000000);
}

TEST_F(SenderTest, ServerErrorsAndDroppedConnectionsAreRetried) {
  Sender sender(api, {}, clock);
  tg.fail_next("sendMessage", 1, Fault::kServerError);
  tg.fail_next("sendMessage", 1, Fault::kDrop);
  auto m = sender.send_message({.chat_id = 5, .text = "eventually"});
  EXPECT_GT(m.message_id, 0);
  EXPECT_EQ(tg.call_count("sendMessage"), 3u);
  EXPECT_GT(clock.slept(), 0ms);  // backed off between attempts
}

TEST_F(SenderTest, PersistentFailureIsReportedAfterMaxAttempts) {
  SenderOptions o;
  o.max_attempts = 3;
  Sender sender(api, o, clock);
  tg.fail_next("sendMessage", 10, Fault::kServerError);
  EXPECT_THROW(sender.send_message({.chat_id = 5, .text = "x"}), ApiError);
  EXPECT_EQ(tg.call_count("sendMessage"), 3u);
}

TEST_F(SenderTest, ClientErrorsAreNotRetried) {
  Sender sender(api, {}, clock);
  tg.fail_next_with("sendMessage", 1, 400, "Bad Request: chat not found");
  try {
    sender.send_message({.chat_id = 5, .text = "x"});
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.description(), "Bad Request: chat not found");
  }
  EXPECT_EQ(tg.call_count("sendMessage"), 1u);
}

TEST_F(SenderTest, RepliesStayInTheForumTopic) {
  Sender sender(api, {}, clock);
  sender.send_message(
      {.chat_id = -1001, .text = "t", .message_thread_id = 42, .reply_to_message_id = 9});
  auto c = tg.calls("sendMessage").at(0);
  EXPECT_EQ(c.thread_id(), 42);
  EXPECT_EQ(c.reply_to(), 9);
}

TEST_F(SenderTest, ADeletedTopicFallsBackToTheGeneralChat) {
  Sender sender(api, {}, clock);
  tg.fail_next_with("sendMessage", 1, 400, "Bad Request: message thread not found");
  sender.send_message({.chat_id = -1001, .text = "t", .message_thread_id = 42});
  auto calls = tg.calls("sendMessage");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].thread_id(), 42);
  EXPECT_FALSE(calls[1].thread_id());
}

TEST_F(SenderTest, PerChatPacingUsesTheClock) {
  SenderOptions o;
  o.limits.chat_per_second = 1;
  o.limits.chat_burst = 1;
  Sender sender(api, o, clock);
  for (int i = 0; i < 4; ++i) sender.send_message({.chat_id = 5, .text = std::to_string(i)});
  EXPECT_GE(clock.slept(), 3s);  // 4 messages to one chat at 1/s
  EXPECT_EQ(tg.chat_texts(5), (std::vector<std::string>{"0", "1", "2", "3"}));
}

TEST_F(SenderTest, ChatActionsAreBestEffort) {
  Sender sender(api, {}, clock);
  EXPECT_TRUE(sender.send_chat_action(5, "typing", 3));
  EXPECT_EQ(tg.calls("sendChatAction").at(0).thread_id(), 3);
  tg.fail_next("sendChatAction", 1, Fault::kServerError);
  EXPECT_FALSE(sender.send_chat_action(5, "typing"));
  tg.fail_next("sendChatAction", 1, Fault::kRateLimit, 30);
  EXPECT_FALSE(sender.send_chat_action(5, "typing"));
  size_t calls = tg.call_count("sendChatAction");
  EXPECT_FALSE(sender.send_chat_action(5, "typing"));  // chat blocked: not even tried
  EXPECT_EQ(tg.call_count("sendChatAction"), calls);
}

TEST_F(SenderTest, ManyThreadsShareOneSender) {
  SenderOptions o;
  o.limits.global_per_second = 1000;
  o.limits.global_burst = 1000;
  o.limits.chat_burst = 1000;
  Sender sender(api, o, SystemClock::instance());
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<int64_t> ids;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        auto m = sender.send_message({.chat_id = 100 + t, .text = std::to_string(i)});
        std::lock_guard lock(mu);
        ids.insert(m.message_id);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ids.size(), 20u);
  for (int t = 0; t < 4; ++t) EXPECT_EQ(tg.chat_texts(100 + t).size(), 5u);
}

TEST_F(SenderTest, RateLimitsAreCounted) {
  Sender sender(api, {}, clock);
  auto& reg = metrics::Registry::global();
  double before = reg.counter_value("telegram_rate_limited_total", {{"method", "sendMessage"}});
  tg.fail_next("sendMessage", 2, Fault::kRateLimit, 1);
  sender.send_message({.chat_id = 5, .text = "x"});
  EXPECT_EQ(reg.counter_value("telegram_rate_limited_total", {{"method", "sendMessage"}}),
            before + 2);
}

TEST_F(SenderTest, LogLinesNeverContainTheToken) {
  // A plain (non-redacting) sink: what this module writes must be clean on its own.
  std::ostringstream out;
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  logger->set_level(spdlog::level::trace);
  spdlog::set_default_logger(logger);
  {
    BotApiOptions dead = options(tg);
    dead.api_url = "http://127.0.0.1:" + std::to_string(tgscribe::testing::free_port());
    BotApi nowhere(dead, http);
    SenderOptions o;
    o.max_attempts = 2;
    Sender lost(nowhere, o, clock);
    EXPECT_THROW(lost.send_message({.chat_id = 5, .text = "x"}), ApiError);
    Sender sender(api, {}, clock);
    tg.fail_next("sendMessage", 1, Fault::kServerError);
    tg.fail_next("sendMessage", 1, Fault::kRateLimit, 1);
    sender.send_message({.chat_id = 5, .text = "x"});
  }
  spdlog::set_default_logger(previous);
  std::string logged = out.str();
  EXPECT_FALSE(logged.empty());  // the retries above were logged
  EXPECT_EQ(logged.find(tg.token()), std::string::npos) << logged;
  EXPECT_EQ(logged.find(tg.token().substr(tg.token().find(':') + 1)), std::string::npos) << logged;
}

}  // namespace
}  // namespace tgscribe::telegram
