// Taps and /summary, /translate at intake (bot/action_intake.h), through
// UpdateRouter::handle_update with real memory stores and the real Bot API client against the fake
// Bot API: which job is admitted (id, payload), what the tap is answered, and what is refused.
#include <gtest/gtest.h>

#include "bot/update_router.h"
#include "http/curl_http_client.h"
#include "jobs/actions.h"
#include "jobs/job_payload.h"
#include "jobs/outbox_message.h"
#include "store/memory/memory_job_stores.h"
#include "store/memory/memory_settings_store.h"
#include "telegram/testing/fake_bot_api.h"

namespace tgscribe::bot {
namespace {

using jobs::ActionKind;
using telegram::testing::FakeBotApi;
using telegram::testing::MessageSpec;

// Never called at intake: only its presence decides which actions are offered.
class IdleTextModel : public engine::TextModel {
 public:
  const std::string& provider() const override { return provider_; }
  const std::string& model() const override { return model_; }
  int64_t context_tokens() const override { return 8192; }
  engine::Completion complete(const engine::CompletionRequest&) override {
    throw Error(ErrorKind::kInternal, "intake must not call the text model");
  }

 private:
  std::string provider_ = "custom", model_ = "m";
};

class ActionIntakeTest : public ::testing::Test {
 protected:
  ActionIntakeTest() {
    cfg_.telegram_bot_token = tg_.token();
    cfg_.transcriber = "sphinx";  // no translation endpoint: English needs the text model
    cfg_.queue_rate_limit_per_user = 3;
  }

  void build(bool with_text_model) {
    env_ = std::make_unique<BotEnv>(BotEnv{cfg_, api_, sender_, *stores_.updates, *stores_.queue,
                                           *stores_.outbox, nullptr, settings_, nullptr, nullptr});
    env_->text_model = with_text_model ? &model_ : nullptr;
    router_ = std::make_unique<UpdateRouter>(*env_);
  }

  // A delivered transcript job of chat `chat` and its last message as Telegram shows it.
  nlohmann::json delivered_transcript(int64_t chat, const std::string& job_id) {
    jobs::JobPayload p;
    p.chat_id = chat;
    p.reply_to_message_id = 3;
    p.media.file_id = "FILE1";
    p.media.file_unique_id = "U1";
    p.media.duration = 30;
    store::Job job;
    job.id = job_id;
    job.user_id = chat;
    job.chat_id = chat;
    job.state = store::JobState::kDelivered;
    job.payload = jobs::to_json(p);
    store::Admission a;
    a.update_id = ++update_;
    a.job = job;
    stores_.updates->admit(a);
    nlohmann::json m = tg_.make_message(MessageSpec{.chat_id = chat, .user_id = chat});
    m["from"]["is_bot"] = true;
    telegram::InlineKeyboard kb = jobs::action_keyboard(
        {.summary = true, .engine_translation = false, .text_translation = true}, job_id,
        i18n::Lang::kEn, "id", {"txt", "srt"});
    m["reply_markup"] = kb.to_json();
    return m;
  }

  // The tap, handled; the answer Telegram got for it.
  nlohmann::json tap(const nlohmann::json& message, const std::string& data, int64_t user = 5) {
    auto pushed = tg_.push_callback(MessageSpec{.chat_id = user, .user_id = user}, message, data);
    EXPECT_TRUE(router_->handle_update(pushed.update));
    for (const auto& c : tg_.calls("answerCallbackQuery")) {
      if (c.params.value("callback_query_id", "") == pushed.callback_id) return c.params;
    }
    return nullptr;
  }

  FakeBotApi tg_;
  config::Config cfg_;
  http::CurlHttpClient http_;
  telegram::BotApi api_{telegram::BotApiOptions{.api_url = tg_.url(), .token = tg_.token()}, http_};
  telegram::Sender sender_{api_};
  store::JobStores stores_ = store::make_memory_job_stores(SystemClock::instance());
  store::MemorySettingsStore settings_;
  IdleTextModel model_;
  std::unique_ptr<BotEnv> env_;
  std::unique_ptr<UpdateRouter> router_;
  int64_t update_ = 0;
};

const std::string kSource = "00000000000000aa";

TEST_F(ActionIntakeTest, TapAdmitsOneActionJobAndRepeatsFindIt) {
  build(true);
  nlohmann::json m = delivered_transcript(5, kSource);
  auto answer = tap(m, "a:sum:" + kSource);
  EXPECT_NE(answer.value("text", "").find("on its way"), std::string::npos) << answer.dump();
  std::string id = jobs::action_job_id(kSource, ActionKind::kSummary, "");
  auto job = stores_.queue->get(id);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->state, store::JobState::kQueued);
  jobs::JobPayload p = jobs::payload_from_json(job->payload);
  EXPECT_EQ(p.action, "summary");
  EXPECT_EQ(p.source_job, kSource);
  EXPECT_EQ(p.media.file_unique_id, "U1");  // the source's media, for the file cache
  EXPECT_EQ(p.reply_to_message_id, m["message_id"].get<int64_t>());
  // Tapped again: the same job, answered "already on its way"; nothing new admitted.
  size_t before = stores_.queue->user_jobs(5, false).size();
  answer = tap(m, "a:sum:" + kSource);
  EXPECT_NE(answer.value("text", "").find("already on its way"), std::string::npos)
      << answer.dump();
  EXPECT_EQ(stores_.queue->user_jobs(5, false).size(), before);
  // Another language is another job.
  tap(m, "a:tr:de:" + kSource);
  EXPECT_TRUE(stores_.queue->get(jobs::action_job_id(kSource, ActionKind::kTranslate, "de")));
}

TEST_F(ActionIntakeTest, ForgedGoneOrUnavailableTapsAdmitNothing) {
  build(false);  // no text model: no summaries, and (sphinx) no English either
  nlohmann::json m = delivered_transcript(5, kSource);
  auto answer = tap(m, "a:sum:" + kSource);
  EXPECT_NE(answer.value("text", "").find("not available"), std::string::npos) << answer.dump();
  EXPECT_TRUE(answer.value("show_alert", false));
  EXPECT_FALSE(stores_.queue->get(jobs::action_job_id(kSource, ActionKind::kSummary, "")));
  // Subtitles need nothing but the transcript.
  tap(m, "a:srt:" + kSource);
  EXPECT_TRUE(stores_.queue->get(jobs::action_job_id(kSource, ActionKind::kSubtitles, "")));

  // A button naming a job of another chat (a client can send any data) or a purged job.
  delivered_transcript(6, "00000000000000bb");
  answer = tap(m, "a:srt:00000000000000bb");
  EXPECT_NE(answer.value("text", "").find("no longer stored"), std::string::npos) << answer.dump();
  EXPECT_FALSE(
      stores_.queue->get(jobs::action_job_id("00000000000000bb", ActionKind::kSubtitles, "")));
  answer = tap(m, "a:srt:00000000000000cc");
  EXPECT_NE(answer.value("text", "").find("no longer stored"), std::string::npos);
  // Not our button: the spinner stops, nothing is said.
  answer = tap(m, "vote:42");
  ASSERT_FALSE(answer.is_null());
  EXPECT_FALSE(answer.contains("text"));
}

TEST_F(ActionIntakeTest, CommandsAsRepliesAndTheirUsage) {
  build(true);
  nlohmann::json m = delivered_transcript(5, kSource);
  auto usage = tg_.push_text(MessageSpec{.chat_id = 5, .user_id = 5}, "/summary");
  router_->handle_update(usage.update);
  auto reply = tg_.push_text(MessageSpec{.chat_id = 5, .user_id = 5, .reply_to = m}, "/translate");
  router_->handle_update(reply.update);
  auto bad = tg_.push_text(MessageSpec{.chat_id = 5, .user_id = 5, .reply_to = m}, "/translate x1");
  router_->handle_update(bad.update);
  auto job = stores_.queue->get(jobs::action_job_id(kSource, ActionKind::kTranslate, "en"));
  ASSERT_TRUE(job);
  EXPECT_EQ(jobs::payload_from_json(job->payload).target_language, "en");
  std::vector<std::string> texts;
  auto batch = stores_.outbox->claim("test", std::chrono::seconds(10), 100);
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->chat_id, 5);
  for (const auto& e : batch->entries) {
    texts.push_back(jobs::outbox_message_from_json(e.body).text);
  }
  auto said = [&](const std::string& needle) {
    return std::any_of(texts.begin(), texts.end(),
                       [&](const std::string& t) { return t.find(needle) != std::string::npos; });
  };
  EXPECT_TRUE(said("Reply with /summary")) << ::testing::PrintToString(texts);
  EXPECT_TRUE(said("is not a language code"));
  EXPECT_TRUE(said("Translation (English) on its way"));
}

}  // namespace
}  // namespace tgscribe::bot
