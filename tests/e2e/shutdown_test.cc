// Every wait has a deadline, through the real binary: SIGTERM ends the process within
// SHUTDOWN_TIMEOUT_S + 1 s whatever it waits for (a long poll, a download that stalls, an
// engine call that hangs) and the interrupted job is delivered once after the restart; a
// stalled download is retried, then failed with a message, instead of holding its job (and
// its lease) for ever; /cancel ends a job whose engine call hangs within seconds.
#include <gtest/gtest.h>
#include <signal.h>

#include <memory>

#include "e2e/bot_deployment.h"
#include "e2e/engine_gate.h"

namespace tgscribe {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using telegram::testing::MessageSpec;
using testing::BotDeployment;
using testing::EngineGate;
using testing::hold_first;

// SHUTDOWN_TIMEOUT_S of every test here, and how long after SIGTERM the process must be gone:
// the promised SHUTDOWN_TIMEOUT_S + 1 s, plus half a second for a loaded test machine to
// schedule the exit and notice it. The code before these deadlines took 20 s (a long poll)
// or for ever (a stalled download, a hanging engine).
constexpr int kShutdownTimeoutS = 2;
constexpr milliseconds kExitBound{(kShutdownTimeoutS + 1) * 1000 + 500};

class Shutdown : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(testing::spoken_clip().empty()) << "espeak-ng or ffmpeg failed";
    d_.env["SHUTDOWN_TIMEOUT_S"] = std::to_string(kShutdownTimeoutS);
  }
  // Held engine answers are let go before the fakes stop (they would wait out their cap).
  void TearDown() override {
    if (gate_) gate_->open();
  }

  void start_bot(const std::map<std::string, std::string>& extra = {}) {
    d_.start("bot", extra);
    ASSERT_TRUE(d_.wait_healthy("bot")) << d_.logs();
  }

  // SIGTERM; the exit code when the process ended within kExitBound, nullopt when it did not.
  std::optional<int> terminate(const std::string& name = "bot") {
    ::kill(d_.proc(name).child->pid(), SIGTERM);
    auto code = d_.wait_exit(name, kExitBound);
    // The orderly path did it, not the watchdog's last-resort exit.
    EXPECT_EQ(d_.log_of(name).find("exiting now"), std::string::npos) << d_.logs();
    return code;
  }

  // Waits until duplicates would have shown, then expects one transcript, .txt and .srt.
  void expect_answered_once(int64_t chat) {
    ASSERT_TRUE(testing::eventually([&] { return d_.answered(chat); }, seconds(30))) << d_.logs();
    std::this_thread::sleep_for(seconds(2));
    EXPECT_EQ(d_.transcripts_in(chat), 1u) << "chat " << chat << "\n" << d_.logs();
    EXPECT_EQ(d_.documents_in(chat, "transcript.txt"), 1u) << "chat " << chat;
    EXPECT_EQ(d_.documents_in(chat, "transcript.srt"), 1u) << "chat " << chat;
  }

  std::shared_ptr<EngineGate> gate_;
  BotDeployment d_;
};

// The poller sits in getUpdates (Telegram holds it up to the 20 s long-poll timeout): the stop
// request ends it at once, in both roles that poll.
class ShutdownDuringLongPoll : public Shutdown,
                               public ::testing::WithParamInterface<std::string> {};

TEST_P(ShutdownDuringLongPoll, SigtermEndsTheLongPollAndExitsZero) {
  const int64_t chat = 9101;
  d_.tg.set_long_poll_cap(seconds(60));  // as Telegram: held for the whole timeout
  start_bot({{"BOT_ROLE", GetParam()}});
  // An update answered proves the loop runs; once its reply is out, the next getUpdates (with
  // the new offset) has long been waiting at the fake.
  d_.tg.push_text(MessageSpec{.chat_id = chat, .user_id = chat}, "/start");
  ASSERT_TRUE(testing::eventually([&] { return d_.replies_in(chat) >= 1; })) << d_.logs();

  auto code = terminate();
  ASSERT_TRUE(code.has_value()) << "still running " << kExitBound.count() << " ms after SIGTERM\n"
                                << d_.logs();
  EXPECT_EQ(*code, 0) << d_.logs();
}

INSTANTIATE_TEST_SUITE_P(Roles, ShutdownDuringLongPoll, ::testing::Values("all", "ingest"));

// The download stalls mid-body (headers and 1 KB, then nothing, long before TRANSFER_STALL_S
// would call it stalled): at the deadline the job gives it up, goes back to the queue, and the
// next start delivers it once.
TEST_F(Shutdown, SigtermDuringAStalledDownloadExitsZeroAndTheJobResumesOnce) {
  const int64_t chat = 9201;
  d_.tg.stall_next_downloads(1, 1024);
  start_bot();
  d_.push_voice(chat, d_.add_voice(1));
  ASSERT_TRUE(testing::eventually([&] { return d_.tg.downloads() >= 1; })) << d_.logs();

  auto code = terminate();
  ASSERT_TRUE(code.has_value()) << "still running " << kExitBound.count() << " ms after SIGTERM\n"
                                << d_.logs();
  EXPECT_EQ(*code, 0) << d_.logs();
  EXPECT_EQ(d_.transcripts_in(chat), 0u);

  start_bot();
  expect_answered_once(chat);
  EXPECT_GE(d_.tg.downloads(), 2);
}

// The engine holds its answer (an overloaded service): the deadline aborts the request.
TEST_F(Shutdown, SigtermDuringAHangingEngineCallExitsZeroAndTheJobResumesOnce) {
  const int64_t chat = 9301;
  gate_ = hold_first(d_.engine, 1, seconds(60));
  start_bot();
  d_.push_voice(chat, d_.add_voice(2));
  ASSERT_TRUE(testing::eventually([&] { return gate_->arrived >= 1; })) << d_.logs();

  auto code = terminate();
  ASSERT_TRUE(code.has_value()) << "still running " << kExitBound.count() << " ms after SIGTERM\n"
                                << d_.logs();
  EXPECT_EQ(*code, 0) << d_.logs();
  EXPECT_EQ(gate_->answered, 0) << "the engine answered: nothing was interrupted";

  start_bot();
  expect_answered_once(chat);
}

// The same with the roles split (BOT_ROLE=ingest + BOT_ROLE=worker on one DATA_DIR): the worker
// stops on time, and the ingest instance is not held up by it.
TEST_F(Shutdown, SigtermOfAWorkerInAHangingEngineCallExitsZeroAndTheJobResumesOnce) {
  const int64_t chat = 9351;
  gate_ = hold_first(d_.engine, 1, seconds(60));
  d_.start("ingest", {{"BOT_ROLE", "ingest"}});
  d_.start("worker", {{"BOT_ROLE", "worker"}});
  ASSERT_TRUE(d_.wait_healthy("ingest")) << d_.logs();
  ASSERT_TRUE(d_.wait_healthy("worker")) << d_.logs();
  d_.push_voice(chat, d_.add_voice(6));
  ASSERT_TRUE(testing::eventually([&] { return gate_->arrived >= 1; })) << d_.logs();

  auto code = terminate("worker");
  ASSERT_TRUE(code.has_value()) << "still running " << kExitBound.count() << " ms after SIGTERM\n"
                                << d_.logs();
  EXPECT_EQ(*code, 0) << d_.logs();
  code = terminate("ingest");
  ASSERT_TRUE(code.has_value()) << d_.logs();
  EXPECT_EQ(*code, 0) << d_.logs();

  d_.start("worker", {{"BOT_ROLE", "worker"}});
  expect_answered_once(chat);
}

// Webhook mode: the webhook server and the rest stop on time too.
TEST_F(Shutdown, SigtermInWebhookModeExitsZero) {
  start_bot({{"WEBHOOK_URL", "https://bot.example.org/hook"}});
  ASSERT_TRUE(testing::eventually([&] { return d_.tg.call_count("setWebhook") >= 1; }))
      << d_.logs();
  auto code = terminate();
  ASSERT_TRUE(code.has_value()) << "still running " << kExitBound.count() << " ms after SIGTERM\n"
                                << d_.logs();
  EXPECT_EQ(*code, 0) << d_.logs();
}

// A download that stalls is a retryable timeout: the job is tried again and delivered.
TEST_F(Shutdown, StalledDownloadIsRetriedAndDelivered) {
  const int64_t chat = 9401;
  d_.tg.stall_next_downloads(1, 1024);
  start_bot({{"TRANSFER_STALL_S", "1"}});
  d_.push_voice(chat, d_.add_voice(3));
  expect_answered_once(chat);
  EXPECT_GE(d_.tg.downloads(), 2);
}

// Every download stalls: after its retries the job fails with a message, its status says so,
// and the bot still stops on time.
TEST_F(Shutdown, DownloadThatAlwaysStallsFailsWithAMessage) {
  const int64_t chat = 9501;
  d_.tg.stall_next_downloads(100, 1024);
  start_bot({{"TRANSFER_STALL_S", "1"}, {"QUEUE_MAX_RETRIES", "1"}, {"QUEUE_RETRY_DELAY", "1"}});
  d_.push_voice(chat, d_.add_voice(4));
  ASSERT_TRUE(testing::eventually(
      [&] { return d_.messages_with(chat, "couldn't download the file") >= 1; }, seconds(60)))
      << d_.logs();
  EXPECT_GE(d_.tg.downloads(), 2);
  EXPECT_EQ(d_.transcripts_in(chat), 0u);
  auto code = terminate();
  ASSERT_TRUE(code.has_value()) << d_.logs();
  EXPECT_EQ(*code, 0) << d_.logs();
}

// /cancel reaches the engine request in flight: the job ends (status edited to cancelled)
// while the engine still holds its answer, not when it finally answers.
TEST_F(Shutdown, CancelDuringAHangingEngineCallEndsTheJobAtOnce) {
  const int64_t chat = 9601;
  gate_ = hold_first(d_.engine, 1, seconds(60));
  start_bot();
  d_.push_voice(chat, d_.add_voice(5));
  ASSERT_TRUE(testing::eventually([&] { return gate_->arrived >= 1; })) << d_.logs();

  d_.tg.push_text(MessageSpec{.chat_id = chat, .user_id = chat}, "/cancel");
  auto cancelled = [&] {
    for (const auto& text : d_.tg.chat_texts(chat)) {
      if (text.find(": cancelled.") != std::string::npos) return true;  // the final status
    }
    return false;
  };
  ASSERT_TRUE(testing::eventually(cancelled, seconds(20))) << d_.logs();
  EXPECT_EQ(gate_->answered, 0) << "the job ended only when the engine answered\n" << d_.logs();
  EXPECT_EQ(d_.transcripts_in(chat), 0u);
}

}  // namespace
}  // namespace tgscribe
