// The real `tgscribe bot` process against a fake Telegram Bot API and a fake Groq on loopback:
// delivery, kill -9 and SIGTERM recovery, webhook mode, health and metrics.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/sha256.h"
#include "engine/testing/fake_openai.h"
#include "support/test_util.h"
#include "telegram/testing/fake_bot_api.h"

namespace tgscribe {
namespace {

using engine::testing::FakeOpenAi;
using engine::testing::FakeReply;
using engine::testing::FakeRequest;
using telegram::testing::FakeBotApi;
using telegram::testing::MessageSpec;

class BotProcess : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_.start();
    ASSERT_TRUE(testing::make_speech("testing one two three", dir_ / "voice.ogg"));
    voice_ = testing::read_file(dir_ / "voice.ogg");
    ops_port_ = testing::free_port();
    env_ = {{"TELEGRAM_BOT_TOKEN", tg_.token()},
            {"TELEGRAM_API_URL", tg_.url()},
            {"TRANSCRIBER", "groq"},
            {"GROQ_API_KEY", "test-openai-key"},
            {"GROQ_API_URL", engine_.url()},
            {"DATA_DIR", (dir_ / "data").string()},
            {"HTTP_LISTEN", "127.0.0.1:" + std::to_string(ops_port_)},
            {"WEBHOOK_LISTEN", "127.0.0.1:" + std::to_string(testing::free_port())},
            {"QUEUE_LEASE_S", "5"},
            {"QUEUE_RETRY_DELAY", "1"},
            {"LOG_LEVEL", "debug"},
            {"ENV_FILE", ""},
            {"OPENAI_API_KEY", ""},
            {"DEEPGRAM_API_KEY", ""},
            {"WEBHOOK_URL", ""},
            {"WEBHOOK_SECRET", ""}};
  }

  void start_bot() {
    bot_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{testing::tgscribe_binary(), "bot"}, env_, dir_ / "bot.log",
        dir_.path());
    ASSERT_TRUE(testing::eventually([&] { return ops_get("/healthz").first == 200; })) << log();
  }

  std::pair<int, std::string> ops_get(const std::string& path) {
    httplib::Client c("127.0.0.1", ops_port_);
    c.set_connection_timeout(1);
    auto r = c.Get(path.c_str());
    if (!r) return {0, ""};
    return {r->status, r->body};
  }

  std::string log() { return "--- bot log ---\n" + testing::read_file(dir_ / "bot.log"); }

  // Transcript messages (those carrying the engine's text) sent to a chat.
  size_t transcripts_in(int64_t chat) {
    size_t n = 0;
    for (const auto& c : tg_.calls("sendMessage")) {
      if (c.chat_id() == chat && c.text().find("Hello from the fake engine") != std::string::npos)
        ++n;
    }
    return n;
  }
  size_t documents_in(int64_t chat) {
    size_t n = 0;
    for (const auto& c : tg_.calls("sendDocument"))
      if (c.chat_id() == chat) ++n;
    return n;
  }

  testing::TempDir dir_;
  FakeBotApi tg_;
  FakeOpenAi engine_;
  std::string voice_;
  int ops_port_ = 0;
  std::map<std::string, std::string> env_;
  std::unique_ptr<testing::ChildProcess> bot_;
};

TEST_F(BotProcess, VoiceNoteInTranscriptAndFilesOut) {
  start_bot();
  auto file = tg_.add_file(voice_, "voice.oga", "audio/ogg");
  MessageSpec who{.chat_id = 501, .user_id = 501};
  tg_.push_media(who, "voice", file);
  ASSERT_TRUE(testing::eventually(
      [&] { return transcripts_in(501) == 1 && documents_in(501) == 2; }, std::chrono::seconds(30)))
      << log();
  // The voice note went to the engine as it was: same bytes, named .ogg.
  auto reqs = engine_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].sha256, Sha256::of(voice_));
  EXPECT_EQ(reqs[0].filename.substr(reqs[0].filename.size() - 4), ".ogg");
  std::set<std::string> names;
  for (const auto& c : tg_.calls("sendDocument"))
    for (const auto& [field, f] : c.files) names.insert(f.filename);
  // A voice note has no file name in Telegram: files are called transcript.<fmt>.
  EXPECT_TRUE(names.count("transcript.txt")) << log();
  EXPECT_TRUE(names.count("transcript.srt")) << log();

  // The same file again is answered from the cache: no download, no engine call.
  auto downloads = tg_.downloads();
  tg_.push_media(who, "voice", file);
  ASSERT_TRUE(
      testing::eventually([&] { return transcripts_in(501) == 2; }, std::chrono::seconds(20)))
      << log();
  EXPECT_EQ(tg_.downloads(), downloads);
  EXPECT_EQ(engine_.requests().size(), 1u);

  auto [status, metrics] = ops_get("/metrics");
  EXPECT_EQ(status, 200);
  EXPECT_NE(metrics.find("tgscribe_updates_total"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("tgscribe_jobs_total{"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("tgscribe_cache_requests_total{"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("tgscribe_queue_depth"), std::string::npos) << metrics;
  EXPECT_EQ(ops_get("/readyz").first, 200);
  // The token never reaches the log.
  EXPECT_EQ(log().find(tg_.token()), std::string::npos);
  EXPECT_EQ(bot_->signal_and_wait(SIGTERM, std::chrono::seconds(20)), 0) << log();
}

TEST_F(BotProcess, KillNineMidJobLosesNothingAndDeliversOnce) {
  std::atomic<int> started{0};
  engine_.set_responder([&](const FakeRequest&) {
    // The first attempt hangs long enough for the kill; later ones answer at once.
    FakeReply r = FakeReply::transcript();
    if (started++ == 0) r.delay = std::chrono::seconds(8);
    return r;
  });
  start_bot();
  std::vector<int64_t> chats = {601, 602, 603};
  for (int64_t chat : chats) {
    // Different content per chat, so no cache or coalescing hides a lost job.
    auto path = dir_ / ("v" + std::to_string(chat) + ".ogg");
    ASSERT_TRUE(testing::make_speech("message number " + std::to_string(chat), path));
    auto file = tg_.add_file(testing::read_file(path), "note.oga", "audio/ogg");
    tg_.push_media(MessageSpec{.chat_id = chat, .user_id = chat}, "voice", file);
  }
  ASSERT_TRUE(testing::eventually([&] { return started.load() >= 1; }, std::chrono::seconds(30)))
      << log();
  bot_->kill_hard();
  start_bot();
  for (int64_t chat : chats) {
    EXPECT_TRUE(
        testing::eventually([&] { return transcripts_in(chat) >= 1; }, std::chrono::seconds(60)))
        << "chat " << chat << "\n"
        << log();
  }
  // Give a duplicate the chance to show up before counting.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  for (int64_t chat : chats) {
    EXPECT_EQ(transcripts_in(chat), 1u) << "chat " << chat;
    EXPECT_EQ(documents_in(chat), 2u) << "chat " << chat;
  }
}

TEST_F(BotProcess, SigtermDuringAJobExitsZeroAndTheJobResumes) {
  std::atomic<int> started{0};
  engine_.set_responder([&](const FakeRequest&) {
    FakeReply r = FakeReply::transcript();
    if (started++ == 0) r.delay = std::chrono::seconds(6);
    return r;
  });
  env_["SHUTDOWN_TIMEOUT_S"] = "1";
  start_bot();
  auto file = tg_.add_file(voice_, "voice.oga", "audio/ogg");
  tg_.push_media(MessageSpec{.chat_id = 701, .user_id = 701}, "voice", file);
  ASSERT_TRUE(testing::eventually([&] { return started.load() >= 1; }, std::chrono::seconds(30)))
      << log();
  EXPECT_EQ(bot_->signal_and_wait(SIGTERM, std::chrono::seconds(20)), 0) << log();
  EXPECT_EQ(transcripts_in(701), 0u);
  start_bot();
  EXPECT_TRUE(
      testing::eventually([&] { return transcripts_in(701) == 1; }, std::chrono::seconds(60)))
      << log();
}

class WebhookProcess : public BotProcess {
 protected:
  void SetUp() override {
    BotProcess::SetUp();
    hook_port_ = testing::free_port();
    env_["WEBHOOK_URL"] = "http://127.0.0.1:" + std::to_string(hook_port_) + "/tg/hook";
    env_["WEBHOOK_LISTEN"] = "127.0.0.1:" + std::to_string(hook_port_);
    env_["WEBHOOK_SECRET"] = secret_;
  }
  httplib::Result post(const std::string& body, const std::string& secret,
                       const std::string& path = "/tg/hook") {
    httplib::Client c("127.0.0.1", hook_port_);
    httplib::Headers h;
    if (!secret.empty()) h.emplace("X-Telegram-Bot-Api-Secret-Token", secret);
    return c.Post(path.c_str(), h, body, "application/json");
  }
  int hook_port_ = 0;
  std::string secret_ = "hook_secret-123";
};

TEST_F(WebhookProcess, SecretSizeAndSyntaxAreCheckedThenUpdatesAreProcessed) {
  start_bot();
  ASSERT_TRUE(tg_.wait_for_calls("setWebhook", 1)) << log();
  auto set = tg_.calls("setWebhook")[0];
  EXPECT_EQ(set.params["url"], env_["WEBHOOK_URL"]);
  EXPECT_EQ(set.params["secret_token"], secret_);

  auto file = tg_.add_file(voice_, "voice.oga", "audio/ogg");
  nlohmann::json update = {
      {"update_id", 900001},
      {"message", tg_.make_message(MessageSpec{.chat_id = 801, .user_id = 801})}};
  update["message"]["voice"] = {{"file_id", file.file_id},
                                {"file_unique_id", file.file_unique_id},
                                {"duration", 3},
                                {"mime_type", "audio/ogg"},
                                {"file_size", file.size}};
  auto r = post(update.dump(), "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  r = post(update.dump(), "wrong-secret");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  r = post("{not json", secret_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  // The server answers 413 from the headers and closes without reading the body, so the
  // client may see the reset before the answer; either way nothing may be processed (below).
  r = post(std::string(5'000'000, ' '), secret_);
  if (r) {
    EXPECT_EQ(r->status, 413);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(tg_.call_count("sendMessage"), 0u) << "a rejected request was processed";

  r = post(update.dump(), secret_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = post(update.dump(), secret_);  // Telegram redelivers: processed once
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  ASSERT_TRUE(
      testing::eventually([&] { return transcripts_in(801) == 1; }, std::chrono::seconds(30)))
      << log();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_EQ(transcripts_in(801), 1u);
  EXPECT_EQ(ops_get("/healthz").first, 200);
}

TEST_F(WebhookProcess, TwoThousandPostsFromFiftyConnectionsNoneLost) {
  env_["TELEGRAM_GLOBAL_RATE"] = "5000";  // the fake Telegram has no broadcast limit to honour
  start_bot();
  ASSERT_TRUE(tg_.wait_for_calls("setWebhook", 1)) << log();
  const int kPosts = 2000, kConnections = 50;
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < kConnections; ++t) {
    clients.emplace_back([&, t] {
      httplib::Client c("127.0.0.1", hook_port_);
      c.set_keep_alive(true);
      httplib::Headers h = {{"X-Telegram-Bot-Api-Secret-Token", secret_}};
      for (int i = t; i < kPosts; i += kConnections) {
        // Every update is a /help from its own chat, so each gets exactly one answer.
        int64_t chat = 100000 + i;
        nlohmann::json u = {{"update_id", 2'000'000 + i},
                            {"message", tg_.make_message(MessageSpec{
                                            .chat_id = chat, .user_id = chat, .text = "/help"})}};
        u["message"]["text"] = "/help";
        u["message"]["entities"] = {{{"type", "bot_command"}, {"offset", 0}, {"length", 5}}};
        bool done = false;
        for (int attempt = 0; attempt < 5 && !done; ++attempt) {  // as Telegram retries
          auto r = c.Post("/tg/hook", h, u.dump(), "application/json");
          done = r && r->status == 200;
        }
        (done ? ok : failed)++;
      }
    });
  }
  for (auto& th : clients) th.join();
  EXPECT_EQ(ok.load(), kPosts);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_TRUE(tg_.wait_for_calls("sendMessage", kPosts, std::chrono::seconds(120))) << log();
  std::set<int64_t> answered;
  for (const auto& c : tg_.calls("sendMessage")) answered.insert(c.chat_id());
  EXPECT_EQ(answered.size(), static_cast<size_t>(kPosts));
  EXPECT_EQ(tg_.call_count("sendMessage"), static_cast<size_t>(kPosts));
}

}  // namespace
}  // namespace tgscribe
