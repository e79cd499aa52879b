// ActionRunner with real memory stores and cache, and a scripted text model: the source
// transcript comes from the file-key cache without a download, a repeated action is answered
// from the cache without a call, a translation keeps the original timings, tokens are booked.
#include "jobs/action_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <regex>

#include "http/curl_http_client.h"
#include "store/memory/memory_job_stores.h"
#include "store/memory/memory_settings_store.h"
#include "store/memory/memory_transcript_cache.h"
#include "store/memory/memory_usage_ledger.h"
#include "telegram/testing/fake_bot_api.h"

namespace tgscribe::jobs {
namespace {

// Answers like a chat model would: numbered lines back as "[n] DE(text)", anything else as a
// summary naming the call.
class ScriptedTextModel : public engine::TextModel {
 public:
  const std::string& provider() const override { return provider_; }
  const std::string& model() const override { return model_; }
  int64_t context_tokens() const override { return 8192; }
  engine::Completion complete(const engine::CompletionRequest& r) override {
    int n = ++calls;
    const std::string& user = r.messages.back().content;
    engine::Completion c;
    c.prompt_tokens = 100;
    c.completion_tokens = 20;
    static const std::regex line(R"(\[(\d+)\] ([^\n]*))");
    for (std::sregex_iterator it(user.begin(), user.end(), line), end; it != end; ++it) {
      c.text += "[" + (*it)[1].str() + "] DE(" + (*it)[2].str() + ")\n";
    }
    if (c.text.empty()) c.text = "Summary number " + std::to_string(n) + ".";
    return c;
  }
  std::atomic<int> calls{0};

 private:
  std::string provider_ = "custom", model_ = "chat-1";
};

class ActionRunnerTest : public ::testing::Test {
 protected:
  ActionRunnerTest() {
    cfg_.transcriber = "sphinx";
    cfg_.output_formats = {"txt", "srt"};
    env_.text_model = &model_;
    env_.usage = &ledger_;
    transcript::Transcript t;
    t.language = "id";
    t.duration = 9;
    t.engine = "sphinx";
    t.segments = {{1, 4, "Selamat pagi semua.", {}, {}, {}, {}, {}},
                  {5, 8.5, "Rapat dimulai sekarang.", {}, {}, {}, {}, {}}};
    results_.remember_file("U1", std::string(64, 'a'), 5);
    results_.store(std::string(64, 'a'), t, {"sphinx", "en-us"}, "", false, 5);
    p_.chat_id = 5;
    p_.user_id = 5;
    p_.reply_to_message_id = 12;
    p_.media.file_id = "F1";
    p_.media.file_unique_id = "U1";
    steps_.download = [this](std::string*) -> std::filesystem::path {
      ++downloads_;
      throw Error(ErrorKind::kNetwork, "no download expected");
    };
    steps_.transcribe = [this]() -> pipeline::Result {
      ++downloads_;
      throw Error(ErrorKind::kNetwork, "no transcription expected");
    };
    steps_.cancelled = [] { return false; };
  }

  std::vector<OutboxMessage> run(const std::string& action, const std::string& target = "") {
    p_.action = action;
    p_.target_language = target;
    store::Job job;
    job.id = "job-" + std::to_string(++jobs_);
    std::vector<OutboxMessage> out;
    for (const auto& e : runner_.run(job, p_, steps_))
      out.push_back(outbox_message_from_json(e.body));
    return out;
  }

  config::Config cfg_;
  telegram::testing::FakeBotApi tg_;
  http::CurlHttpClient http_;
  telegram::BotApi api_{telegram::BotApiOptions{.api_url = tg_.url(), .token = tg_.token()}, http_};
  telegram::Sender sender_{api_};
  store::JobStores stores_ = store::make_memory_job_stores(SystemClock::instance());
  store::MemorySettingsStore settings_;
  store::MemoryTranscriptCache cache_{100, 3600};
  store::MemoryUsageLedger ledger_;
  pipeline::ResultCache results_{std::vector<pipeline::EngineId>{{"sphinx", "en-us"}}, &cache_};
  JobEnv env_{cfg_,    api_,      sender_,   *stores_.updates, *stores_.queue, *stores_.outbox,
              &cache_, settings_, &results_, nullptr};
  ScriptedTextModel model_;
  TranscriptMessages messages_{cfg_};
  ActionRunner runner_{env_, messages_};
  JobPayload p_;
  ActionSteps steps_;
  int downloads_ = 0;
  int jobs_ = 0;
};

TEST_F(ActionRunnerTest, SummaryFromTheCachedTranscriptOnceThenFromTheCache) {
  auto first = run("summary");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_NE(first[0].text.find("📝 Summary:"), std::string::npos);
  EXPECT_NE(first[0].text.find("Summary number 1."), std::string::npos) << first[0].text;
  EXPECT_EQ(first[0].reply_to_message_id, 12);
  EXPECT_FALSE(first[0].reply_markup);
  auto again = run("summary");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].text, first[0].text);
  EXPECT_EQ(model_.calls.load(), 1);
  EXPECT_EQ(downloads_, 0);
  // The tokens of the one call, booked for the user under the text model's provider.
  int64_t today = store::utc_day(SystemClock::instance().unix_ms());
  EXPECT_EQ(ledger_.user_usage(5, today, today).tokens, 120);
  EXPECT_EQ(ledger_.engine_usage(today, today).count("llm:custom"), 1u);
}

TEST_F(ActionRunnerTest, TranslationKeepsTheOriginalTimings) {
  auto out = run("translate", "de");
  std::string srt, text;
  for (const auto& m : out) {
    if (m.method == OutboxMessage::Method::kSendDocument && m.file_name == "transcript.srt") {
      srt = m.content;
    }
    if (m.method == OutboxMessage::Method::kSendMessage) text += m.text;
  }
  EXPECT_NE(text.find("DE(Selamat pagi semua.)"), std::string::npos) << text;
  EXPECT_NE(srt.find("00:00:05,000 --> 00:00:08,500"), std::string::npos) << srt;
  EXPECT_NE(srt.find("DE(Rapat dimulai sekarang.)"), std::string::npos) << srt;
  run("translate", "de");
  EXPECT_EQ(model_.calls.load(), 1);  // the second from the cache
  // Another language is another result.
  run("translate", "fr");
  EXPECT_EQ(model_.calls.load(), 2);
}

TEST_F(ActionRunnerTest, SubtitlesNeedNoModel) {
  auto out = run("subtitles");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].method, OutboxMessage::Method::kSendDocument);
  EXPECT_EQ(out[0].file_name, "transcript.srt");
  EXPECT_NE(out[0].content.find("00:00:01,000 --> 00:00:04,000"), std::string::npos);
  EXPECT_EQ(model_.calls.load(), 0);
}

TEST_F(ActionRunnerTest, WithoutTheCachedTranscriptTheMediaIsFetchedAgain) {
  p_.media.file_unique_id = "U-unknown";
  EXPECT_THROW(run("summary"), Error);  // the download step says no here
  EXPECT_EQ(downloads_, 1);
  EXPECT_EQ(model_.calls.load(), 0);
}

TEST_F(ActionRunnerTest, CacheKeysNameContentActionModelAndLanguage) {
  EXPECT_EQ(action_cache_key("abc", ActionKind::kSummary, "m1", "id"), "abc|action:summary|m1|id");
  EXPECT_NE(action_cache_key("abc", ActionKind::kSummary, "m1", "id"),
            action_cache_key("abc", ActionKind::kSummary, "m2", "id"));
  EXPECT_EQ(action_cache_key("abc", ActionKind::kTranslate, "m1", ""),
            "abc|action:translate|m1|auto");
}

}  // namespace
}  // namespace tgscribe::jobs
