// Actions under a transcript (issue 16) through the real binary, against the fake Telegram,
// the fake Groq and the fake chat-completions server: a tap on Summary is answered at once
// (answerCallbackQuery) and yields exactly one summary — also when the tap is repeated or the
// bot is killed mid-action; a long transcript is summarised in parts; English comes from the
// engine's /audio/translations endpoint without the text model; a tap on a message too old
// to answer is handled; without a text model there is no Summary button; /summary and
// /translate work as replies.
#include <gtest/gtest.h>

#include "e2e/bot_deployment.h"
#include "engine/testing/fake_chat_completions.h"

namespace tgscribe {
namespace {

using engine::testing::FakeChatCompletions;
using engine::testing::FakeChatOptions;
using engine::testing::FakeReply;
using telegram::testing::MessageSpec;
using telegram::testing::RecordedCall;
using testing::BotDeployment;

constexpr int64_t kUser = 4242;

class Actions : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(testing::spoken_clip().empty()) << "espeak-ng or ffmpeg failed";
    d_.env["LLM_API_URL"] = llm_.url();
    d_.env["LLM_API_KEY"] = "test-llm-key";
    d_.env["LLM_MODEL"] = "test-chat-model";
    d_.env["OUTPUT_FORMATS"] = "txt,srt";
    // The speech is "Indonesian", so an English translation is offered.
    d_.engine.set_responder([](const engine::testing::FakeRequest&) {
      FakeReply r;
      r.language = "id";
      return r;
    });
  }

  void start_bot(const std::map<std::string, std::string>& extra = {}) {
    d_.start("bot", extra);
    ASSERT_TRUE(d_.wait_healthy("bot")) << d_.logs();
  }

  MessageSpec spec() const { return MessageSpec{.chat_id = chat_, .user_id = chat_}; }

  // Sends a voice note and returns the transcript's last message (the one with the buttons).
  nlohmann::json transcript_with_buttons(int n, const std::string& prefix = "a:") {
    d_.push_voice(chat_, d_.add_voice(n));
    nlohmann::json m;
    testing::eventually(
        [&] {
          if (auto found = d_.tg.message_with_button(chat_, prefix)) m = *found;
          return !m.is_null();
        },
        std::chrono::seconds(30));
    return m;
  }

  static std::string button(const nlohmann::json& message, const std::string& prefix) {
    for (const auto& row : message["reply_markup"]["inline_keyboard"]) {
      for (const auto& b : row) {
        std::string data = b.value("callback_data", "");
        if (data.rfind(prefix, 0) == 0) return data;
      }
    }
    return "";
  }

  size_t summaries() const { return d_.messages_with(chat_, "📝 Summary"); }
  // answerCallbackQuery calls Telegram accepted or refused, for `callback_id` ("" = all).
  std::vector<RecordedCall> answers(const std::string& callback_id = "") const {
    std::vector<RecordedCall> out;
    for (auto& c : d_.tg.calls("answerCallbackQuery")) {
      if (callback_id.empty() || c.params.value("callback_query_id", "") == callback_id) {
        out.push_back(std::move(c));
      }
    }
    return out;
  }
  // The action jobs' final status edits ("✅"): the job finished and its messages are written.
  size_t llm_calls() const { return llm_.requests().size(); }

  FakeChatCompletions llm_{[] {
    FakeChatOptions o;
    o.api_key = "test-llm-key";
    return o;
  }()};
  BotDeployment d_;
  int64_t chat_ = kUser;  // the private chat (= user) the helpers talk in

 public:
  Actions() { llm_.start(); }
};

TEST_F(Actions, TapOnSummaryIsAnsweredAndYieldsOneSummary) {
  start_bot();
  nlohmann::json m = transcript_with_buttons(1);
  ASSERT_FALSE(m.is_null()) << d_.logs();
  std::string data = button(m, "a:sum:");
  ASSERT_FALSE(data.empty()) << m.dump();
  EXPECT_LE(data.size(), 64u);
  EXPECT_FALSE(button(m, "a:tr:en:").empty()) << m.dump();
  auto tap = d_.tg.push_callback(spec(), m, data);
  ASSERT_TRUE(testing::eventually([&] { return !answers(tap.callback_id).empty(); })) << d_.logs();
  EXPECT_EQ(answers(tap.callback_id)[0].status, 200);
  ASSERT_TRUE(testing::eventually([&] { return summaries() >= 1; }, std::chrono::seconds(30)))
      << d_.logs();
  EXPECT_EQ(summaries(), 1u);
  EXPECT_EQ(d_.messages_with(kUser, "SUMMARY("), 1u);
  EXPECT_GE(llm_calls(), 1u);
  // The summary answers the transcript's message.
  for (const auto& c : d_.delivered()) {
    if (c.text().find("📝 Summary") != std::string::npos) {
      EXPECT_EQ(c.reply_to(), m["message_id"].get<int64_t>());
    }
  }
}

TEST_F(Actions, RepeatedTapYieldsOneSummaryAndOneCall) {
  start_bot();
  nlohmann::json m = transcript_with_buttons(2);
  ASSERT_FALSE(m.is_null()) << d_.logs();
  std::string data = button(m, "a:sum:");
  auto first = d_.tg.push_callback(spec(), m, data);
  auto second = d_.tg.push_callback(spec(), m, data);
  ASSERT_TRUE(testing::eventually([&] { return answers().size() >= 2; })) << d_.logs();
  ASSERT_TRUE(testing::eventually([&] { return summaries() >= 1; }, std::chrono::seconds(30)))
      << d_.logs();
  // A third tap once the summary is there: answered "already sent", nothing else happens.
  auto third = d_.tg.push_callback(spec(), m, data);
  ASSERT_TRUE(testing::eventually([&] { return !answers(third.callback_id).empty(); }))
      << d_.logs();
  EXPECT_NE(answers(third.callback_id)[0].params.value("text", "").find("already sent"),
            std::string::npos)
      << answers(third.callback_id)[0].params.dump();
  auto second_text = answers(second.callback_id).at(0).params.value("text", "");
  EXPECT_NE(second_text.find("already"), std::string::npos) << second_text;
  EXPECT_EQ(summaries(), 1u);
  EXPECT_EQ(llm_calls(), 1u);
}

TEST_F(Actions, KilledMidActionStillOneSummary) {
  // The transcript job passes each point once; the action job is the second.
  for (const char* point : {"worker.after_transcribe", "worker.after_finish"}) {
    SCOPED_TRACE(point);
    ++chat_;  // a chat of its own: the other run's transcript has buttons too
    llm_.clear_requests();
    start_bot({{"TGSCRIBE_FAILPOINTS", std::string(point) + "=exit@2"}});
    static int voice = 10;
    nlohmann::json m = transcript_with_buttons(++voice);
    ASSERT_FALSE(m.is_null()) << d_.logs();
    d_.tg.push_callback(spec(), m, button(m, "a:sum:"));
    auto code = d_.wait_exit("bot", std::chrono::seconds(30));
    ASSERT_TRUE(code) << d_.logs();
    EXPECT_EQ(*code, 86);
    start_bot();
    ASSERT_TRUE(testing::eventually([&] { return summaries() >= 1; }, std::chrono::seconds(40)))
        << d_.logs();
    EXPECT_EQ(summaries(), 1u);
    // The summary made before the crash was cached: the restart does not pay for it again.
    EXPECT_EQ(llm_calls(), 1u);
    d_.stop("bot");
  }
}

TEST_F(Actions, LongTranscriptIsSummarisedInParts) {
  std::string text;
  for (int i = 0; text.size() < 6000; ++i) {
    text += "Point number " + std::to_string(i) + " of the meeting was discussed at length. ";
  }
  d_.engine.set_text(text);
  llm_.set_context_tokens(1200);
  start_bot({{"LLM_CONTEXT_TOKENS", "1200"}, {"MESSAGE_FILE_THRESHOLD", "100000"}});
  nlohmann::json m = transcript_with_buttons(3, "a:sum:");
  ASSERT_FALSE(m.is_null()) << d_.logs();
  d_.tg.push_callback(spec(), m, button(m, "a:sum:"));
  ASSERT_TRUE(testing::eventually([&] { return summaries() >= 1; }, std::chrono::seconds(40)))
      << d_.logs();
  EXPECT_EQ(summaries(), 1u);
  size_t calls = 0;
  for (const auto& r : llm_.requests()) {
    EXPECT_EQ(r.status, 200) << "a request over the model's context: " << r.prompt_tokens;
    calls += r.status == 200;
  }
  EXPECT_GE(calls, 3u) << "parts, then the parts' summaries";
}

TEST_F(Actions, EnglishComesFromTheEnginesTranslationEndpoint) {
  start_bot();
  nlohmann::json m = transcript_with_buttons(4);
  ASSERT_FALSE(m.is_null()) << d_.logs();
  std::string data = button(m, "a:tr:en:");
  ASSERT_FALSE(data.empty()) << m.dump();
  EXPECT_NE(m.dump().find("English"), std::string::npos);
  auto tap = d_.tg.push_callback(spec(), m, data);
  ASSERT_TRUE(testing::eventually([&] { return d_.documents_in(kUser, "transcript.srt") >= 2; },
                                  std::chrono::seconds(30)))
      << d_.logs();
  size_t translations = 0;
  for (const auto& r : d_.engine.requests()) {
    if (r.path.find("/audio/translations") != std::string::npos) {
      ++translations;
      EXPECT_EQ(r.field("model"), "whisper-large-v3");  // turbo cannot translate
    }
  }
  EXPECT_EQ(translations, 1u);
  EXPECT_EQ(llm_calls(), 0u);
  EXPECT_EQ(answers(tap.callback_id).at(0).status, 200);
  // The translation is a transcript: its message (language en) and both files.
  EXPECT_GE(d_.messages_with(kUser, "🌐 en"), 1u);
  EXPECT_EQ(d_.documents_in(kUser, "transcript.txt"), 2u);
}

TEST_F(Actions, TapOnAMessageTooOldIsAnsweredNotCrashedOn) {
  start_bot();
  auto old = d_.tg.push_old_callback(spec(), kUser, 77, "a:sum:0123456789abcdef");
  auto foreign = d_.tg.push_callback(spec(), d_.tg.make_message(spec()), "not-ours");
  ASSERT_TRUE(testing::eventually([&] {
    return !answers(old.callback_id).empty() && !answers(foreign.callback_id).empty();
  })) << d_.logs();
  EXPECT_EQ(answers(old.callback_id)[0].status, 400);  // Telegram: query is too old
  EXPECT_EQ(answers(foreign.callback_id)[0].status, 200);
  EXPECT_TRUE(d_.running("bot"));
  // The bot goes on: a voice note afterwards is transcribed, and neither tap is asked again.
  d_.push_voice(kUser, d_.add_voice(5));
  ASSERT_TRUE(
      testing::eventually([&] { return d_.transcripts_in(kUser) >= 1; }, std::chrono::seconds(30)))
      << d_.logs();
  EXPECT_EQ(answers(old.callback_id).size(), 1u);
  EXPECT_EQ(summaries(), 0u);
}

TEST_F(Actions, NoSummaryButtonWithoutATextModel) {
  start_bot({{"LLM_API_URL", "off"}});
  d_.push_voice(kUser, d_.add_voice(6));
  ASSERT_TRUE(
      testing::eventually([&] { return d_.transcripts_in(kUser) >= 1; }, std::chrono::seconds(30)))
      << d_.logs();
  EXPECT_FALSE(d_.tg.message_with_button(kUser, "a:sum:"));
  // Groq still translates to English with its audio endpoint: that button stays.
  EXPECT_TRUE(d_.tg.message_with_button(kUser, "a:tr:en:"));
  // /summary says it is not available instead of queueing a job that must fail.
  auto transcript = d_.tg.message_with_button(kUser, "a:");
  ASSERT_TRUE(transcript);
  d_.tg.push_text(MessageSpec{.chat_id = kUser, .user_id = kUser, .reply_to = *transcript},
                  "/summary");
  ASSERT_TRUE(testing::eventually([&] { return d_.messages_with(kUser, "not available") >= 1; }))
      << d_.logs();
  EXPECT_EQ(llm_calls(), 0u);
}

TEST_F(Actions, SummaryAndTranslateCommandsAsReplies) {
  start_bot();
  nlohmann::json m = transcript_with_buttons(7);
  ASSERT_FALSE(m.is_null()) << d_.logs();
  d_.tg.push_text(spec(), "/translate");  // no reply: how to use it
  ASSERT_TRUE(testing::eventually([&] {
    return d_.messages_with(kUser, "Reply with /translate") >= 1;
  })) << d_.logs();
  // /summary replying to the transcript's last message, then to the voice note itself.
  d_.tg.push_text(MessageSpec{.chat_id = kUser, .user_id = kUser, .reply_to = m}, "/summary");
  ASSERT_TRUE(testing::eventually([&] { return summaries() >= 1; }, std::chrono::seconds(30)))
      << d_.logs();
  // The same summary asked again by a tap: already sent, no second call.
  auto tap = d_.tg.push_callback(spec(), m, button(m, "a:sum:"));
  ASSERT_TRUE(testing::eventually([&] { return !answers(tap.callback_id).empty(); }));
  EXPECT_NE(answers(tap.callback_id)[0].params.value("text", "").find("already sent"),
            std::string::npos);
  auto voice = d_.push_voice(kUser + 1, d_.add_voice(8));
  ASSERT_TRUE(testing::eventually([&] { return d_.transcripts_in(kUser + 1) >= 1; },
                                  std::chrono::seconds(30)));
  d_.tg.push_text(
      MessageSpec{.chat_id = kUser + 1, .user_id = kUser + 1, .reply_to = voice.message},
      "/translate de");
  ASSERT_TRUE(testing::eventually([&] { return d_.messages_with(kUser + 1, "T(") >= 1; },
                                  std::chrono::seconds(30)))
      << d_.logs();
  EXPECT_EQ(summaries(), 1u);
}

}  // namespace
}  // namespace tgscribe
