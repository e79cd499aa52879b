// Several `tgscribe bot` processes on one real redis-server: one ingest, three workers.
// Every accepted job is delivered exactly once, even when a worker is killed with SIGKILL
// mid-job or Redis restarts mid-run.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <thread>

#include "engine/testing/fake_openai.h"
#include "store/testing/redis_server.h"
#include "support/test_util.h"
#include "telegram/testing/fake_bot_api.h"

namespace tgscribe {
namespace {

using engine::testing::FakeOpenAi;
using engine::testing::FakeReply;
using engine::testing::FakeRequest;
using telegram::testing::FakeBotApi;
using telegram::testing::MessageSpec;

class RedisScale : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = store::testing::RedisServer::unavailable_reason()) GTEST_SKIP() << *why;
    redis_ = std::make_unique<store::testing::RedisServer>(
        store::testing::RedisServer::Options{.appendfsync = "always"});
    engine_.start();
  }

  std::map<std::string, std::string> env_for(const std::string& role, int n) {
    return {{"TELEGRAM_BOT_TOKEN", tg_.token()},
            {"TELEGRAM_API_URL", tg_.url()},
            {"TRANSCRIBER", "groq"},
            {"GROQ_API_KEY", "test-openai-key"},
            {"GROQ_API_URL", engine_.url()},
            {"QUEUE_TYPE", "redis"},
            {"CACHE_TYPE", "redis"},
            {"REDIS_URL", redis_->url()},
            {"BOT_ROLE", role},
            {"QUEUE_MAX_WORKERS", "2"},
            {"QUEUE_LEASE_S", "5"},
            {"QUEUE_RETRY_DELAY", "1"},
            {"DATA_DIR", (dir_ / ("data-" + role + std::to_string(n))).string()},
            {"HTTP_LISTEN", "127.0.0.1:" + std::to_string(testing::free_port())},
            {"WEBHOOK_LISTEN", "127.0.0.1:" + std::to_string(testing::free_port())},
            {"LOG_LEVEL", "debug"},
            {"ENV_FILE", ""},
            {"WEBHOOK_URL", ""},
            {"OPENAI_API_KEY", ""},
            {"DEEPGRAM_API_KEY", ""}};
  }

  std::unique_ptr<testing::ChildProcess> start(const std::string& role, int n) {
    auto log = dir_ / (role + std::to_string(n) + ".log");
    logs_.push_back(log);
    return std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{testing::tgscribe_binary(), "bot"}, env_for(role, n), log,
        dir_.path());
  }

  std::string logs() {
    std::string out;
    for (const auto& l : logs_)
      out += "--- " + l.filename().string() + "\n" + testing::read_file(l);
    return out;
  }

  size_t transcripts_in(int64_t chat) {
    size_t n = 0;
    for (const auto& c : tg_.calls("sendMessage"))
      if (c.chat_id() == chat && c.text().find("Hello from the fake engine") != std::string::npos)
        ++n;
    return n;
  }

  void push_voices(const std::vector<int64_t>& chats) {
    for (int64_t chat : chats) {
      auto path = dir_ / ("v" + std::to_string(chat) + ".ogg");
      ASSERT_TRUE(testing::make_speech("note " + std::to_string(chat), path));
      auto file = tg_.add_file(testing::read_file(path), "note.oga", "audio/ogg");
      tg_.push_media(MessageSpec{.chat_id = chat, .user_id = chat}, "voice", file);
    }
  }

  testing::TempDir dir_;
  FakeBotApi tg_;
  FakeOpenAi engine_;
  std::unique_ptr<store::testing::RedisServer> redis_;
  std::vector<std::filesystem::path> logs_;
};

TEST_F(RedisScale, OneIngestThreeWorkersOneKilledEveryJobOnce) {
  std::atomic<int> started{0};
  engine_.set_responder([&](const FakeRequest&) {
    FakeReply r = FakeReply::transcript();
    r.delay = std::chrono::milliseconds(started++ < 3 ? 3000 : 200);
    return r;
  });
  auto ingest = start("ingest", 0);
  std::vector<std::unique_ptr<testing::ChildProcess>> workers;
  for (int i = 0; i < 3; ++i) workers.push_back(start("worker", i));
  std::vector<int64_t> chats;
  for (int i = 0; i < 9; ++i) chats.push_back(3000 + i);
  push_voices(chats);
  ASSERT_TRUE(testing::eventually([&] { return started.load() >= 2; }, std::chrono::seconds(40)))
      << logs();
  workers[0]->kill_hard();
  for (int64_t chat : chats) {
    EXPECT_TRUE(
        testing::eventually([&] { return transcripts_in(chat) >= 1; }, std::chrono::seconds(90)))
        << "chat " << chat << "\n"
        << logs();
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  for (int64_t chat : chats) EXPECT_EQ(transcripts_in(chat), 1u) << "chat " << chat;
  // Only the ingest instance polls Telegram; workers never call getUpdates.
  const std::string polling = "telegram: polling for updates";
  EXPECT_NE(testing::read_file(logs_[0]).find(polling), std::string::npos) << logs();
  for (size_t i = 1; i < logs_.size(); ++i) {
    EXPECT_EQ(testing::read_file(logs_[i]).find(polling), std::string::npos) << logs_[i];
  }
}

TEST_F(RedisScale, RedisRestartMidRunLosesNoAcceptedJob) {
  engine_.set_responder([&](const FakeRequest&) {
    FakeReply r = FakeReply::transcript();
    r.delay = std::chrono::milliseconds(1500);
    return r;
  });
  auto ingest = start("ingest", 0);
  auto worker = start("worker", 0);
  std::vector<int64_t> chats = {4001, 4002, 4003, 4004};
  push_voices(chats);
  // Wait until every update was accepted (each got its status message), then restart Redis.
  ASSERT_TRUE(testing::eventually(
      [&] {
        std::set<int64_t> acked;
        for (const auto& c : tg_.calls("sendMessage")) acked.insert(c.chat_id());
        return acked.size() == chats.size();
      },
      std::chrono::seconds(40)))
      << logs();
  redis_->restart();
  for (int64_t chat : chats) {
    EXPECT_TRUE(
        testing::eventually([&] { return transcripts_in(chat) >= 1; }, std::chrono::seconds(90)))
        << "chat " << chat << "\n"
        << logs();
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  for (int64_t chat : chats) EXPECT_EQ(transcripts_in(chat), 1u) << "chat " << chat;
}

}  // namespace
}  // namespace tgscribe
