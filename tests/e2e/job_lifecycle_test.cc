// The job lifecycle through the real binary, one test per way an accepted update used to be
// lost, repeated or left waiting: a job that crashes its worker every time, a cache-hit answer
// while Telegram fails, /cancel of a job that another user's job joined, a heartbeat stuck
// behind a hanging sendChatAction, orphans after a restart or a killed Redis worker, and an
// intake that waited for Telegram before confirming updates.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>

#include "e2e/bot_deployment.h"
#include "e2e/engine_gate.h"
#include "store/testing/redis_server.h"

namespace tgscribe {
namespace {

using engine::testing::FakeReply;
using engine::testing::FakeRequest;
using std::chrono::milliseconds;
using std::chrono::seconds;
using telegram::testing::Fault;
using telegram::testing::MessageSpec;
using testing::BotDeployment;
using testing::EngineGate;
using testing::hold_first;
using Steady = std::chrono::steady_clock;

constexpr int kFailpointExit = 86;

double seconds_since(Steady::time_point t) {
  return std::chrono::duration<double>(Steady::now() - t).count();
}

class JobLifecycle : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(testing::spoken_clip().empty()) << "espeak-ng or ffmpeg failed";
  }
  // Held engine answers are let go before the fakes stop (they would wait out their cap).
  void TearDown() override {
    if (gate_) gate_->open();
  }

  void start_bot(const std::map<std::string, std::string>& extra = {}) {
    d_.start("bot", extra);
    ASSERT_TRUE(d_.wait_healthy("bot")) << d_.logs();
  }

  // Waits until duplicates would have shown, then expects one transcript, .txt and .srt.
  void expect_answered_once(int64_t chat) {
    std::this_thread::sleep_for(seconds(2));
    EXPECT_EQ(d_.transcripts_in(chat), 1u) << "chat " << chat << "\n" << d_.logs();
    EXPECT_EQ(d_.documents_in(chat, "transcript.txt"), 1u) << "chat " << chat;
    EXPECT_EQ(d_.documents_in(chat, "transcript.srt"), 1u) << "chat " << chat;
  }

  std::shared_ptr<EngineGate> gate_;
  std::unique_ptr<store::testing::RedisServer> redis_;  // before d_: outlives the processes
  BotDeployment d_;
};

// A job that kills its worker every time it is claimed fails for good after its retries, with
// one message to its user, and is never claimed again.
TEST_F(JobLifecycle, PoisonJobFailsForGoodAfterItsRetriesAndIsNeverClaimedAgain) {
  const int64_t chat = 8101;
  d_.env["QUEUE_MAX_RETRIES"] = "1";  // two claims, then it is given up
  const std::map<std::string, std::string> armed = {
      {"TGSCRIBE_FAILPOINTS", "worker.after_claim=exit"}};
  start_bot(armed);
  d_.push_voice(chat, d_.add_voice(1));
  for (int crash = 1; crash <= 2; ++crash) {
    // A restarted instance claims its orphan at once (or after the 5 s lease).
    if (crash > 1) d_.start("bot", armed);
    auto code = d_.wait_exit("bot", seconds(60), [&] { return d_.transcripts_in(chat) > 0; });
    ASSERT_TRUE(code) << "crash " << crash << ": worker.after_claim never fired\n" << d_.logs();
    ASSERT_EQ(*code, kFailpointExit) << d_.logs();
  }
  d_.start("bot", armed);
  const std::string given_up = "will not be tried again";
  EXPECT_TRUE(
      testing::eventually([&] { return d_.messages_with(chat, given_up) > 0; }, seconds(60)))
      << d_.logs();
  if (d_.running("bot")) {
    EXPECT_EQ(d_.stop("bot"), 0) << d_.logs();
  }

  start_bot(armed);
  // Longer than the lease: a job still claimable would have been claimed by now.
  EXPECT_FALSE(d_.wait_exit("bot", seconds(8))) << "the failed job was claimed again\n"
                                                << d_.logs();
  EXPECT_EQ(d_.messages_with(chat, given_up), 1u) << d_.logs();
  EXPECT_EQ(d_.transcripts_in(chat), 0u);
  EXPECT_TRUE(d_.engine.requests().empty()) << "the engine was asked";
}

// The same file again is answered from the cache by a durable job: Telegram failing past the
// client's own retries neither repeats the text nor loses the documents.
TEST_F(JobLifecycle, CacheHitAnswerSurvivesTelegramFailuresWithoutDuplicates) {
  start_bot();
  auto file = d_.add_voice(2);
  d_.push_voice(8201, file);
  ASSERT_TRUE(testing::eventually([&] { return d_.answered(8201); }, seconds(60))) << d_.logs();

  // More 5xx in a row than the Sender's 5 attempts per call.
  d_.tg.fail_next("sendMessage", 6, Fault::kServerError);
  d_.tg.fail_next("sendDocument", 6, Fault::kServerError);
  d_.push_voice(8202, file);  // same file_unique_id: a cache hit
  EXPECT_TRUE(testing::eventually(
      [&] {
        return d_.transcripts_in(8202) >= 1 && d_.documents_in(8202, "transcript.txt") >= 1 &&
               d_.documents_in(8202, "transcript.srt") >= 1;
      },
      seconds(120)))
      << d_.logs();
  expect_answered_once(8202);
  EXPECT_EQ(d_.engine.requests().size(), 1u) << "the second answer was not a cache hit";
}

// /cancel by the user whose job runs the transcription does not take the transcript away
// from another user's job that joined it (identical bytes, another file_unique_id).
TEST_F(JobLifecycle, CancelOfALeaderStillDeliversToTheJobThatJoinedIt) {
  const int64_t leader = 8301, joiner = 8302;
  std::atomic<int> started{0};
  d_.engine.set_responder([&](const FakeRequest&) {
    // The leader's first request is slow and then asks to be retried later: the cancel lands
    // while the leader (and its joiner) waits, so the leader stops before it has a transcript.
    if (started++ == 0) return FakeReply::error(503, "5").after(seconds(2));
    return FakeReply::transcript();
  });
  start_bot();
  std::string bytes = testing::vary_ogg(testing::spoken_clip(), 3);
  auto a = d_.tg.add_file(bytes, "voice.oga", "audio/ogg");
  auto b = d_.tg.add_file(bytes, "voice.oga", "audio/ogg");
  d_.push_voice(leader, a);
  ASSERT_TRUE(testing::eventually([&] { return started.load() >= 1; }, seconds(30))) << d_.logs();
  d_.push_voice(joiner, b);
  ASSERT_TRUE(testing::eventually([&] { return d_.tg.downloads() >= 2; }, seconds(30)))
      << d_.logs();
  // Hashing the download and joining the running transcription takes a moment more.
  std::this_thread::sleep_for(milliseconds(500));
  d_.tg.push_text(MessageSpec{.chat_id = leader, .user_id = leader}, "/cancel");

  EXPECT_TRUE(testing::eventually([&] { return d_.transcripts_in(joiner) >= 1; }, seconds(60)))
      << d_.logs();
  expect_answered_once(joiner);
  EXPECT_EQ(d_.transcripts_in(leader), 0u) << "the cancelled job was delivered";
}

// Heartbeats do not wait behind a sendChatAction that hangs longer than the lease: the job
// keeps its lease, no other worker takes it over, and it is delivered once.
TEST_F(JobLifecycle, HangingChatActionKeepsTheLeaseAndDeliversOnce) {
  const int64_t chat = 8401;
  d_.env["QUEUE_LEASE_S"] = "5";
  d_.env["QUEUE_MAX_WORKERS"] = "2";  // a free worker ready to take over a lost lease
  d_.tg.set_method_delay("sendChatAction", seconds(15));
  std::atomic<int64_t> last_request_ms{0};
  auto since_epoch_ms = [] {
    return std::chrono::duration_cast<milliseconds>(Steady::now().time_since_epoch()).count();
  };
  d_.engine.set_responder([&](const FakeRequest&) {
    last_request_ms = since_epoch_ms();
    return FakeReply::transcript().after(seconds(12));
  });
  start_bot();
  d_.push_voice(chat, d_.add_voice(4));
  EXPECT_TRUE(testing::eventually([&] { return d_.answered(chat); }, seconds(60))) << d_.logs();
  // Every engine request that was made has been answered (and could have been delivered).
  EXPECT_TRUE(testing::eventually([&] { return since_epoch_ms() > last_request_ms + 13'000; },
                                  seconds(30)));
  expect_answered_once(chat);
  EXPECT_EQ(d_.engine.requests().size(), 1u)
      << "the lease was lost and another worker transcribed the job again\n"
      << d_.logs();
}

// A restarted instance takes up its own orphaned running jobs at once, without waiting for
// their lease to run out.
TEST_F(JobLifecycle, RestartResumesItsOwnOrphansAtOnce) {
  const int64_t chat = 8501;
  d_.env["QUEUE_LEASE_S"] = "60";
  gate_ = hold_first(d_.engine, 1, seconds(90));
  start_bot();
  d_.push_voice(chat, d_.add_voice(5));
  ASSERT_TRUE(testing::eventually([&] { return gate_->arrived >= 1; }, seconds(30))) << d_.logs();
  d_.proc("bot").child->kill_hard();
  gate_->open();
  auto restarted = Steady::now();
  start_bot();
  EXPECT_TRUE(testing::eventually([&] { return d_.answered(chat); }, seconds(20)))
      << "not delivered within 20 s of the restart (the lease is 60 s)\n"
      << d_.logs();
  std::printf("delivered %.1f s after the restart\n", seconds_since(restarted));
  expect_answered_once(chat);
}

// On Redis with the default lease, the job of a worker killed with SIGKILL is taken up by
// another worker within ~30 s.
TEST_F(JobLifecycle, RedisDefaultLeaseHandsAKilledWorkersJobOnQuickly) {
  if (auto why = store::testing::RedisServer::unavailable_reason()) GTEST_SKIP() << *why;
  const int64_t chat = 8601;
  redis_ = std::make_unique<store::testing::RedisServer>(
      store::testing::RedisServer::Options{.appendfsync = "always"});
  d_.use_redis(redis_->url());
  d_.env["QUEUE_LEASE_S"] = "";  // the default
  gate_ = hold_first(d_.engine, 1, seconds(120));
  auto start = [&](const std::string& name) {
    d_.start(name, {{"BOT_ROLE", name.substr(0, name.size() - 1)},
                    {"DATA_DIR", (d_.dir / ("data-" + name)).string()}});
    ASSERT_TRUE(d_.wait_healthy(name)) << d_.logs();
  };
  start("ingest0");
  start("worker0");
  d_.push_voice(chat, d_.add_voice(6));
  ASSERT_TRUE(testing::eventually([&] { return gate_->arrived >= 1; }, seconds(30))) << d_.logs();
  start("worker1");  // only now, so that worker0 is the one holding the job
  d_.proc("worker0").child->kill_hard();
  gate_->open();
  auto killed = Steady::now();
  EXPECT_TRUE(testing::eventually([&] { return d_.transcripts_in(chat) >= 1; }, seconds(45)))
      << "not delivered within 45 s of the kill\n"
      << d_.logs();
  std::printf("delivered %.1f s after the kill\n", seconds_since(killed));
  expect_answered_once(chat);
}

// Intake never waits for Telegram: with every sendMessage taking 3 s, 40 updates (20 voice
// notes, 20 texts from a user not allowed) are all confirmed within 10 s.
TEST_F(JobLifecycle, IntakeConfirmsUpdatesWithoutWaitingForTelegram) {
  std::string allowed;
  for (int i = 0; i < 20; ++i) {
    if (i > 0) allowed += ',';
    allowed += std::to_string(8701 + i);
  }
  d_.env["ALLOWED_USER_IDS"] = allowed;
  start_bot();
  d_.tg.set_method_delay("sendMessage", seconds(3));
  for (int i = 0; i < 20; ++i) d_.push_voice(8701 + i, d_.add_voice(100 + i));
  for (int i = 0; i < 20; ++i) {
    d_.tg.push_text(MessageSpec{.chat_id = 8799, .user_id = 8799}, "hello " + std::to_string(i));
  }
  auto pushed = Steady::now();
  EXPECT_TRUE(testing::eventually([&] { return d_.tg.pending_updates() == 0; }, seconds(10)))
      << d_.tg.pending_updates() << " of 40 updates still unconfirmed after 10 s\n"
      << d_.logs();
  std::printf("40 updates confirmed in %.1f s\n", seconds_since(pushed));
}

}  // namespace
}  // namespace tgscribe
