// The outbox dispatcher against the fake Bot API over real HTTP, on real memory and SQLite
// stores: order per chat, chats in parallel, retries that keep order, refusals dropped, edits
// of earlier entries, documents, and two dispatchers sharing one store.
#include "jobs/outbox_dispatcher.h"

#include <gtest/gtest.h>

#include <map>

#include "http/curl_http_client.h"
#include "store/memory/memory_job_stores.h"
#include "store/memory/memory_settings_store.h"
#include "store/sqlite/sqlite_job_stores.h"
#include "support/test_util.h"
#include "telegram/testing/fake_bot_api.h"
#include "telegram/testing/generous_limits.h"

namespace tgscribe::jobs {
namespace {

using std::chrono::milliseconds;
using telegram::testing::FakeBotApi;
using telegram::testing::Fault;
using tgscribe::testing::eventually;

class OutboxDispatcherTest : public ::testing::TestWithParam<bool> {
 protected:
  OutboxDispatcherTest() {
    cfg_.data_dir = dir_.path().string();
    api_ = std::make_unique<telegram::BotApi>(
        telegram::BotApiOptions{.api_url = tg_.url(), .token = tg_.token()}, http_);
    telegram::SenderOptions so;
    so.limits = telegram::testing::generous_limits();
    so.backoff_initial = milliseconds(10);
    so.max_attempts = 2;
    sender_ = std::make_unique<telegram::Sender>(*api_, so);
    stores_ = GetParam() ? store::make_sqlite_job_stores(
                               store::SqliteDb::open(dir_.path() / "t.db"), SystemClock::instance())
                         : store::make_memory_job_stores(SystemClock::instance());
    env_ = std::make_unique<JobEnv>(JobEnv{cfg_, *api_, *sender_, *stores_.updates, *stores_.queue,
                                           *stores_.outbox, nullptr, settings_, nullptr, nullptr});
    opts_.poll = milliseconds(20);
    opts_.retry_initial = milliseconds(100);
    opts_.senders = 4;
  }

  store::OutboxEntry text(const std::string& id, int64_t chat, const std::string& body) {
    OutboxMessage m;
    m.chat_id = chat;
    m.text = body;
    return make_entry(id, "", m);
  }
  // Texts the fake accepted for a chat, in order.
  std::vector<std::string> texts(int64_t chat) {
    std::vector<std::string> out;
    for (const auto& c : tg_.calls("sendMessage"))
      if (c.chat_id() == chat && c.status == 200) out.push_back(c.text());
    return out;
  }

  tgscribe::testing::TempDir dir_;
  FakeBotApi tg_;
  config::Config cfg_;
  http::CurlHttpClient http_;
  std::unique_ptr<telegram::BotApi> api_;
  std::unique_ptr<telegram::Sender> sender_;
  store::JobStores stores_;
  store::MemorySettingsStore settings_;
  std::unique_ptr<JobEnv> env_;
  DispatcherOptions opts_;
};

TEST_P(OutboxDispatcherTest, EveryEntryGoesOutOnceInItsChatsOrder) {
  std::vector<store::OutboxEntry> entries;
  for (int i = 0; i < 10; ++i)
    for (int64_t chat : {11, 12, 13}) {
      entries.push_back(text("e" + std::to_string(chat) + "-" + std::to_string(i), chat,
                             "m" + std::to_string(i)));
    }
  env_->outbox.add(entries);
  OutboxDispatcher d(*env_, "test", opts_);
  d.start();
  ASSERT_TRUE(eventually([&] { return env_->outbox.pending() == 0; }));
  for (int64_t chat : {11, 12, 13}) {
    auto got = texts(chat);
    ASSERT_EQ(got.size(), 10u) << chat;
    for (int i = 0; i < 10; ++i) EXPECT_EQ(got[i], "m" + std::to_string(i));
  }
  auto e = env_->outbox.get("e12-3");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->state, store::OutboxState::kSent);
  EXPECT_GT(e->message_id, 0);
}

TEST_P(OutboxDispatcherTest, AFailedSendIsRetriedLaterAndTheChatKeepsItsOrder) {
  // More 5xx than the Sender's own attempts: the outbox must come back to it.
  tg_.fail_next("sendMessage", 3, Fault::kServerError);
  env_->outbox.add({text("a", 21, "first"), text("b", 21, "second")});
  OutboxDispatcher d(*env_, "test", opts_);
  d.start();
  ASSERT_TRUE(eventually([&] { return env_->outbox.pending() == 0; }));
  EXPECT_EQ(texts(21), (std::vector<std::string>{"first", "second"}));
  EXPECT_GE(env_->outbox.get("a")->attempts, 1);
}

TEST_P(OutboxDispatcherTest, AChatThatBlockedTheBotHasItsWorkDroppedAndCancelled) {
  // A queued job of the chat and what it has said so far.
  store::Job job;
  job.id = "u1";
  job.update_id = 1;
  job.user_id = 31;
  job.chat_id = 31;
  job.payload = R"({"file_id":"f"})";
  ASSERT_TRUE(env_->updates.admit({.update_id = 1, .job = job}).accepted);
  OutboxMessage m;
  m.chat_id = 31;
  m.text = "queued";
  auto x = make_entry("u1:status", "u1", m);
  m.text = "part two";
  auto y = make_entry("u1:text:1", "u1", m);
  tg_.fail_chat_with(31, "sendMessage", 1, 403, "Forbidden: bot was blocked by the user");
  env_->outbox.add({x, y, text("other", 32, "still sent")});
  OutboxDispatcher d(*env_, "test", opts_);
  d.start();
  ASSERT_TRUE(eventually([&] { return env_->outbox.pending() == 0; }));
  EXPECT_EQ(env_->outbox.get("u1:status")->state, store::OutboxState::kDropped);
  EXPECT_EQ(env_->outbox.get("u1:text:1")->state, store::OutboxState::kDropped);
  EXPECT_EQ(texts(32), std::vector<std::string>{"still sent"});
  // One refused call, no retries of it, nothing else tried in that chat.
  size_t to_31 = 0;
  for (const auto& c : tg_.calls("sendMessage")) to_31 += c.chat_id() == 31;
  EXPECT_EQ(to_31, 1u);
  EXPECT_EQ(env_->queue.get("u1")->state, store::JobState::kCancelled);
  // The user unblocks the bot and writes again: what is said from then on arrives.
  env_->outbox.add({text("later", 31, "welcome back")});
  d.notify();
  ASSERT_TRUE(eventually([&] { return env_->outbox.pending() == 0; }));
  EXPECT_EQ(texts(31), std::vector<std::string>{"welcome back"});
}

TEST_P(OutboxDispatcherTest, AChatNotFoundIsGoneToo) {
  tg_.fail_chat_with(33, "sendMessage", 1, 400, "Bad Request: chat not found");
  env_->outbox.add({text("a", 33, "one"), text("b", 33, "two")});
  OutboxDispatcher d(*env_, "test", opts_);
  d.start();
  ASSERT_TRUE(eventually([&] { return env_->outbox.pending() == 0; }));
  EXPECT_EQ(env_->outbox.get("b")->state, store::OutboxState::kDropped);
  EXPECT_TRUE(texts(33).empty());
}

TEST_P(OutboxDispatcherTest, ARateLimitedChatDoesNotHoldTheOnlySender) {
  // One sender thread: before, it slept out chat 35's 30 s flood wait and chat 36 waited too.
  opts_.senders = 1;
  tg_.fail_chat(35, "sendMessage", 1, Fault::kRateLimit, 30);
  env_->outbox.add({text("slow", 35, "flooded"), text("slow2", 35, "behind it")});
  env_->outbox.add({text("fast", 36, "not held up")});
  const int64_t before = SystemClock::instance().unix_ms();
  OutboxDispatcher d(*env_, "test", opts_);
  d.start();
  ASSERT_TRUE(eventually([&] { return texts(36).size() == 1; }, std::chrono::seconds(10)));
  // The flooded entry waits in the store for its retry_after; its chat keeps its order.
  auto slow = env_->outbox.get("slow");
  ASSERT_TRUE(slow);
  EXPECT_EQ(slow->state, store::OutboxState::kPending);
  EXPECT_GE(slow->not_before_ms, before + 29'000);
  EXPECT_EQ(env_->outbox.get("slow2")->state, store::OutboxState::kPending);
  EXPECT_TRUE(texts(35).empty());
}

TEST_P(OutboxDispatcherTest, AnEditChangesTheMessageAnEarlierEntrySent) {
  OutboxMessage edit;
  edit.method = OutboxMessage::Method::kEditMessageText;
  edit.chat_id = 41;
  edit.edit_of = "job:status";
  edit.text = "done";
  env_->outbox.add({text("job:status", 41, "queued"), make_entry("job:status:final", "job", edit)});
  OutboxDispatcher d(*env_, "test", opts_);
  d.start();
  ASSERT_TRUE(eventually([&] { return env_->outbox.pending() == 0; }));
  int64_t id = env_->outbox.get("job:status")->message_id;
  EXPECT_EQ(tg_.message_text(41, id), "done");
}

TEST_P(OutboxDispatcherTest, AnEditOfAWithdrawnStatusReplyIsDroppedWithoutACall) {
  OutboxMessage edit;
  edit.method = OutboxMessage::Method::kEditMessageText;
  edit.chat_id = 42;
  edit.edit_of = "job:status";
  edit.text = "done";
  // The job ended before its status reply was due: the finish withdrew it.
  env_->outbox.add({text("job:status", 42, "queued")});
  env_->outbox.mark_dropped("job:status", "withdrawn");
  env_->outbox.add(
      {text("job:text:0", 42, "the transcript"), make_entry("job:status:final", "job", edit)});
  OutboxDispatcher d(*env_, "test", opts_);
  d.start();
  ASSERT_TRUE(eventually([&] { return env_->outbox.pending() == 0; }));
  EXPECT_EQ(texts(42), (std::vector<std::string>{"the transcript"}));
  EXPECT_EQ(tg_.call_count("editMessageText"), 0u);
  EXPECT_EQ(env_->outbox.get("job:status:final")->state, store::OutboxState::kDropped);
}

TEST_P(OutboxDispatcherTest, FirstRepliesGoBeforeOtherChatsBulk) {
  std::vector<store::OutboxEntry> entries;
  for (int64_t chat : {51, 52, 53}) entries.push_back(text("t" + std::to_string(chat), chat, "t"));
  for (int64_t chat : {61, 62, 63}) {
    auto e = text("s" + std::to_string(chat), chat, "s");
    e.priority = store::kOutboxFirstReply;
    entries.push_back(e);
  }
  env_->outbox.add(entries);  // the transcripts were written first
  opts_.senders = 1;
  OutboxDispatcher d(*env_, "test", opts_);
  d.start();
  ASSERT_TRUE(eventually([&] { return env_->outbox.pending() == 0; }));
  std::vector<int64_t> order;
  for (const auto& c : tg_.calls("sendMessage")) order.push_back(c.chat_id());
  EXPECT_EQ(order, (std::vector<int64_t>{61, 62, 63, 51, 52, 53}));
}

TEST_P(OutboxDispatcherTest, ADocumentIsSentWithItsNameAndContent) {
  OutboxMessage doc;
  doc.method = OutboxMessage::Method::kSendDocument;
  doc.chat_id = 51;
  doc.file_name = "rapat.srt";
  doc.mime_type = "application/x-subrip";
  doc.content = "1\n00:00:00,000 --> 00:00:01,000\nhalo\n";
  env_->outbox.add({make_entry("d", "", doc)});
  OutboxDispatcher d(*env_, "test", opts_);
  d.start();
  ASSERT_TRUE(tg_.wait_for_calls("sendDocument", 1));
  auto f = tg_.calls("sendDocument")[0].files.at("document");
  EXPECT_EQ(f.filename, "rapat.srt");
  EXPECT_EQ(f.content, doc.content);
  ASSERT_TRUE(eventually([&] { return env_->outbox.pending() == 0; }));
  // Its temporary copy is gone.
  EXPECT_TRUE(!std::filesystem::exists(dir_.path() / "tmp") ||
              std::filesystem::is_empty(dir_.path() / "tmp"));
}

TEST_P(OutboxDispatcherTest, TwoDispatchersOnOneStoreSendEachEntryOnce) {
  std::vector<store::OutboxEntry> entries;
  for (int i = 0; i < 40; ++i)
    entries.push_back(text("k" + std::to_string(i), 60 + i % 8, "n" + std::to_string(i)));
  env_->outbox.add(entries);
  OutboxDispatcher a(*env_, "a", opts_), b(*env_, "b", opts_);
  a.start();
  b.start();
  ASSERT_TRUE(eventually([&] { return env_->outbox.pending() == 0; }));
  std::map<std::string, int> seen;
  for (const auto& c : tg_.calls("sendMessage")) ++seen[c.text()];
  EXPECT_EQ(seen.size(), 40u);
  for (const auto& [t, n] : seen) EXPECT_EQ(n, 1) << t;
}

INSTANTIATE_TEST_SUITE_P(Stores, OutboxDispatcherTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "sqlite" : "memory"; });

}  // namespace
}  // namespace tgscribe::jobs
