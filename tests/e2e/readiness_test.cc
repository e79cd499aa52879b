// Readiness and the peers that fail us, through the real binary: /readyz answers 503 while the
// job store is unreachable or intake is dead, and 200 while only the cache is down (jobs go on
// without it, each engine call made once); a token Telegram refuses ends the process with
// exit code 2 and one clear line, at start and while polling; Telegram failing at start is
// waited out; one chat's flood wait delays only that chat; a chat that blocked the bot has its
// work cancelled instead of retried.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "e2e/bot_deployment.h"
#include "store/testing/redis_server.h"

namespace tgscribe {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using telegram::testing::Fault;
using testing::BotDeployment;
using testing::eventually;

// The pid of the redis-server listening on `port` (its command line names the port), or -1.
pid_t redis_pid(int port) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find("redis-server") != std::string::npos &&
        cmdline.find(std::to_string(port)) != std::string::npos) {
      return static_cast<pid_t>(std::stol(name));
    }
  }
  return -1;
}

// A Redis that hangs (SIGSTOP: connections are accepted by the kernel, nothing answers) until
// this goes out of scope.
class FrozenRedis {
 public:
  explicit FrozenRedis(pid_t pid) : pid_(pid) {
    if (pid_ > 0) kill(pid_, SIGSTOP);
  }
  ~FrozenRedis() { thaw(); }
  void thaw() {
    if (pid_ > 0) kill(pid_, SIGCONT);
    pid_ = -1;
  }

 private:
  pid_t pid_;
};

class Readiness : public ::testing::Test {
 protected:
  // GET on the ops listener of `name`; {0, ""} when nothing answered within 3 s (a /readyz
  // that waits for a hanging store does not count as an answer).
  std::pair<int, std::string> ops_get(const std::string& name, const std::string& path) {
    httplib::Client c("127.0.0.1", d_.proc(name).ops_port);
    c.set_connection_timeout(1);
    c.set_read_timeout(3);
    auto r = c.Get(path);
    if (!r) return {0, ""};
    return {r->status, r->body};
  }
  int readyz(const std::string& name = "bot") { return ops_get(name, "/readyz").first; }

  void start_redis() {
    if (auto why = store::testing::RedisServer::unavailable_reason()) GTEST_SKIP() << *why;
    redis_ = std::make_unique<store::testing::RedisServer>();
  }
  bool log_has(const std::string& needle, const std::string& name = "bot") {
    return d_.log_of(name).find(needle) != std::string::npos;
  }
  // sendMessage/sendDocument/editMessageText calls addressed to `chat`, whatever the answer.
  size_t calls_to(int64_t chat) {
    size_t n = 0;
    for (const auto& c : d_.tg.calls()) {
      n += c.chat_id() == chat && (c.method == "sendMessage" || c.method == "sendDocument" ||
                                   c.method == "editMessageText");
    }
    return n;
  }

  std::unique_ptr<store::testing::RedisServer> redis_;  // before d_: outlives the processes
  BotDeployment d_;
};

TEST_F(Readiness, ReadyzIs503WhileTheJobStoreIsUnreachableAndRecovers) {
  start_redis();
  if (!redis_) return;
  d_.env["QUEUE_TYPE"] = "redis";
  d_.env["CACHE_TYPE"] = "memory";
  d_.env["REDIS_URL"] = redis_->url();
  d_.start("bot");
  ASSERT_TRUE(d_.wait_healthy("bot")) << d_.logs();
  ASSERT_TRUE(eventually([&] { return readyz() == 200; })) << d_.logs();

  redis_->stop();
  // Answered (quickly: within the client's 3 s) with 503 naming the store, while the
  // process itself stays alive.
  ASSERT_TRUE(eventually([&] { return readyz() == 503; })) << ops_get("bot", "/readyz").second;
  // The store probes run on their own threads: the update log's may notice first.
  EXPECT_TRUE(eventually([&] {
    return ops_get("bot", "/readyz").second.find("queue: FAILED") != std::string::npos;
  })) << ops_get("bot", "/readyz").second;
  EXPECT_EQ(ops_get("bot", "/healthz").first, 200);

  redis_->start();
  ASSERT_TRUE(eventually([&] { return readyz() == 200; }, seconds(30)))
      << ops_get("bot", "/readyz").second << d_.logs();

  // A Redis that hangs instead of refusing: /readyz still answers, within the client's 3 s,
  // with 503 (the probes run in the background; a probe stuck in a call counts as failed).
  pid_t pid = redis_pid(redis_->port());
  ASSERT_GT(pid, 0);
  FrozenRedis frozen(pid);
  ASSERT_TRUE(eventually([&] { return readyz() == 503; })) << ops_get("bot", "/readyz").second;
  // Each store probe runs on its own thread and counts as failed once it has hung for 3 s:
  // the queue's may be the second to cross that line.
  EXPECT_TRUE(eventually([&] {
    return ops_get("bot", "/readyz").second.find("queue: FAILED") != std::string::npos;
  })) << ops_get("bot", "/readyz").second;
  frozen.thaw();
  EXPECT_TRUE(eventually([&] { return readyz() == 200; }, seconds(30)))
      << ops_get("bot", "/readyz").second << d_.logs();
}

TEST_F(Readiness, ReadyzIs503WhileAnotherPollerTakesTheUpdates) {
  d_.start("bot");
  ASSERT_TRUE(d_.wait_healthy("bot")) << d_.logs();
  ASSERT_TRUE(eventually([&] { return readyz() == 200; })) << d_.logs();
  // A webhook set behind the bot's back: getUpdates answers 409 Conflict from now on.
  d_.tg.set_webhook_url("https://example.invalid/hook");
  ASSERT_TRUE(eventually([&] { return readyz() == 503; })) << ops_get("bot", "/readyz").second;
  EXPECT_NE(ops_get("bot", "/readyz").second.find("409"), std::string::npos);
  d_.tg.set_webhook_url("");
}

TEST_F(Readiness, ATokenRevokedWhilePollingEndsTheProcessWithCode2) {
  d_.start("bot");
  ASSERT_TRUE(d_.wait_healthy("bot")) << d_.logs();
  ASSERT_TRUE(eventually([&] { return readyz() == 200; })) << d_.logs();
  d_.tg.fail_next_with("getUpdates", 100000, 401, "Unauthorized");
  auto code = d_.wait_exit("bot", seconds(20));
  ASSERT_TRUE(code.has_value()) << "the process lived on without intake\n" << d_.logs();
  EXPECT_EQ(*code, 2) << d_.logs();
  std::string log = d_.log_of("bot");
  EXPECT_NE(log.find("the bot token was rejected by Telegram (401)"), std::string::npos) << log;
  EXPECT_EQ(log.find(d_.tg.token()), std::string::npos) << "the token was logged";
  EXPECT_EQ(log.find(d_.tg.token().substr(d_.tg.token().find(':') + 1)), std::string::npos);
}

TEST_F(Readiness, ATokenRefusedAtStartIsExit2WithOneClearLine) {
  const std::string wrong = "987654321:AAwrong-token_abcdefghijklmnopqrstuv";
  d_.start("bot", {{"TELEGRAM_BOT_TOKEN", wrong}});
  auto code = d_.wait_exit("bot", seconds(20));
  ASSERT_TRUE(code.has_value()) << d_.logs();
  EXPECT_EQ(*code, 2) << d_.logs();
  std::string log = d_.log_of("bot");
  EXPECT_NE(log.find("the bot token was rejected by Telegram (401)"), std::string::npos) << log;
  EXPECT_EQ(log.find("AAwrong-token"), std::string::npos) << "the token was logged:\n" << log;
}

TEST_F(Readiness, TelegramFailingAtStartIsWaitedOutNotAConfigurationError) {
  ASSERT_FALSE(testing::spoken_clip().empty()) << "espeak-ng or ffmpeg failed";
  // getMe answers 502, then 429, then works: the bot waits, serving /healthz (not ready yet).
  d_.tg.fail_next("getMe", 2, Fault::kServerError);
  d_.tg.fail_next("getMe", 1, Fault::kRateLimit, 1);
  d_.start("bot");
  ASSERT_TRUE(d_.wait_healthy("bot")) << d_.logs();
  ASSERT_TRUE(eventually([&] { return readyz() == 200; })) << d_.logs();
  EXPECT_GE(d_.tg.call_count("getMe"), 4u);
  EXPECT_FALSE(log_has("cannot start")) << d_.logs();
  d_.push_voice(7001, d_.add_voice(1));
  EXPECT_TRUE(eventually([&] { return d_.answered(7001); })) << d_.logs();
}

TEST_F(Readiness, SigtermWhileTelegramIsDownAtStartExitsCleanly) {
  d_.tg.fail_next("getMe", 100000, Fault::kServerError);
  d_.start("bot");
  ASSERT_TRUE(d_.wait_healthy("bot")) << d_.logs();
  EXPECT_EQ(readyz(), 503) << ops_get("bot", "/readyz").second;
  EXPECT_TRUE(d_.running("bot"));
  EXPECT_EQ(d_.stop("bot"), 0) << d_.logs();
}

TEST_F(Readiness, OneFloodedChatDoesNotStallTheOthers) {
  ASSERT_FALSE(testing::spoken_clip().empty()) << "espeak-ng or ffmpeg failed";
  // One outbox sender: before, it slept out chat A's flood wait and everyone waited with it.
  d_.env["OUTBOX_SENDERS"] = "1";
  const int64_t a = 7101, b = 7102;
  d_.tg.fail_chat(a, "sendMessage", 1, Fault::kRateLimit, 12);
  d_.start("bot");
  ASSERT_TRUE(d_.wait_healthy("bot")) << d_.logs();
  d_.push_voice(a, d_.add_voice(1));
  ASSERT_TRUE(eventually([&] {
    for (const auto& c : d_.tg.calls("sendMessage"))
      if (c.chat_id() == a && c.status == 429) return true;
    return false;
  })) << d_.logs();
  d_.push_voice(b, d_.add_voice(2));
  ASSERT_TRUE(eventually([&] { return d_.answered(b); })) << d_.logs();
  // Chat B got everything while chat A was still waiting out its own retry_after.
  EXPECT_EQ(d_.replies_in(a) + d_.transcripts_in(a), 0u) << d_.logs();
  // And chat A gets its answer, in order, once its wait is over.
  EXPECT_TRUE(eventually([&] { return d_.answered(a); }, seconds(30))) << d_.logs();
  auto delivered = d_.delivered();
  for (const auto& c : delivered) {
    if (c.chat_id() != a) continue;
    EXPECT_FALSE(testing::BotDeployment::is_transcript(c)) << "the status reply comes first";
    break;
  }
}

TEST_F(Readiness, AChatThatBlockedTheBotHasItsJobCancelledNotRetried) {
  ASSERT_FALSE(testing::spoken_clip().empty()) << "espeak-ng or ffmpeg failed";
  const int64_t gone = 7201, other = 7202;
  d_.tg.fail_chat_with(gone, "", 100000, 403, "Forbidden: bot was blocked by the user");
  // The engine holds its first answer until the chat is known to be gone, so the job is
  // still running when the 403 arrives.
  std::atomic<bool> release{false};
  std::atomic<int> engine_calls{0};
  d_.engine.set_responder([&](const engine::testing::FakeRequest&) {
    if (engine_calls++ == 0) {
      auto until = std::chrono::steady_clock::now() + seconds(20);
      while (!release && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(milliseconds(20));
    }
    return engine::testing::FakeReply::transcript();
  });
  d_.start("bot");
  ASSERT_TRUE(d_.wait_healthy("bot")) << d_.logs();
  d_.push_voice(gone, d_.add_voice(1));
  ASSERT_TRUE(eventually([&] { return log_has("is gone"); })) << d_.logs();
  release = true;
  ASSERT_TRUE(eventually([&] { return log_has("cancelled: its chat"); })) << d_.logs();
  // Another user's voice note afterwards, as a barrier: once it is answered, whatever the
  // cancelled job would have sent has had its chance.
  d_.push_voice(other, d_.add_voice(2));
  ASSERT_TRUE(eventually([&] { return d_.answered(other); })) << d_.logs();
  std::this_thread::sleep_for(seconds(2));
  // One refused call to the gone chat (its status reply): no transcript, no files, no retries.
  EXPECT_EQ(calls_to(gone), 1u) << d_.logs();
  EXPECT_EQ(readyz(), 200);
}

TEST_F(Readiness, TheCacheIsAnOptimisationNotADependency) {
  ASSERT_FALSE(testing::spoken_clip().empty()) << "espeak-ng or ffmpeg failed";
  start_redis();
  if (!redis_) return;
  d_.env["QUEUE_TYPE"] = "sqlite";
  d_.env["CACHE_TYPE"] = "redis";
  d_.env["REDIS_URL"] = redis_->url();
  d_.start("bot");
  ASSERT_TRUE(d_.wait_healthy("bot")) << d_.logs();
  ASSERT_TRUE(eventually([&] { return readyz() == 200; })) << d_.logs();
  d_.push_voice(7301, d_.add_voice(1));
  ASSERT_TRUE(eventually([&] { return d_.answered(7301); })) << d_.logs();
  ASSERT_EQ(d_.engine.requests().size(), 1u);

  redis_->kill_hard();  // the cache's Redis dies mid-run
  // Still ready: the cache is shown as failing, but the instance does its work without it.
  ASSERT_TRUE(eventually([&] {
    return ops_get("bot", "/readyz").second.find("cache: FAILED (jobs go on") != std::string::npos;
  })) << ops_get("bot", "/readyz").second;
  EXPECT_EQ(readyz(), 200) << ops_get("bot", "/readyz").second;

  d_.push_voice(7302, d_.add_voice(2));
  d_.push_voice(7303, d_.add_voice(3));
  EXPECT_TRUE(eventually([&] { return d_.answered(7302) && d_.answered(7303); }, seconds(30)))
      << d_.logs();
  // One engine call per job: a failed cache write never makes a job run (and bill) again.
  std::this_thread::sleep_for(seconds(1));
  EXPECT_EQ(d_.engine.requests().size(), 3u) << d_.logs();
  EXPECT_EQ(d_.transcripts_in(7302), 1u);
  EXPECT_EQ(d_.transcripts_in(7303), 1u);
  EXPECT_EQ(readyz(), 200) << ops_get("bot", "/readyz").second;
  auto metrics = ops_get("bot", "/metrics").second;
  EXPECT_NE(metrics.find("tgscribe_cache_errors_total"), std::string::npos) << metrics;
}

}  // namespace
}  // namespace tgscribe
