#include "jobs/actions.h"

#include <gtest/gtest.h>

#include "jobs/outbox_message.h"
#include "jobs/transcript_messages.h"

namespace tgscribe::jobs {
namespace {

const std::string kJob = "0123456789abcdef";

TEST(ActionCallbackData, RoundTripsWithinTelegramsLimit) {
  for (const ActionRequest& r : {ActionRequest{ActionKind::kSummary, "", kJob},
                                 ActionRequest{ActionKind::kTranslate, "en", kJob},
                                 ActionRequest{ActionKind::kTranslate, "de", kJob},
                                 ActionRequest{ActionKind::kSubtitles, "", kJob}}) {
    std::string data = callback_data(r);
    EXPECT_LE(data.size(), telegram::kMaxCallbackDataBytes) << data;
    auto back = parse_callback_data(data);
    ASSERT_TRUE(back) << data;
    EXPECT_EQ(back->kind, r.kind);
    EXPECT_EQ(back->target_language, r.target_language);
    EXPECT_EQ(back->source_job, kJob);
  }
  EXPECT_EQ(callback_data({ActionKind::kSummary, "", kJob}), "a:sum:" + kJob);
  EXPECT_EQ(callback_data({ActionKind::kTranslate, "en", kJob}), "a:tr:en:" + kJob);
}

TEST(ActionCallbackData, ForeignOrForgedDataIsNotOurs) {
  for (const char* data :
       {"", "test", "a:", "a:sum", "a:sum:", "a:sum:not-hex!", "a:tr:en", "a:tr:ENG:ab",
        "a:tr:e1:ab", "a:zzz:ab", "a:sum:ab:cd", "b:sum:ab",
        "a:sum:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}) {
    EXPECT_FALSE(parse_callback_data(data)) << data;
  }
}

TEST(ActionJobId, SameSourceActionAndTargetIsTheSameJob) {
  std::string sum = action_job_id(kJob, ActionKind::kSummary, "");
  EXPECT_EQ(sum, action_job_id(kJob, ActionKind::kSummary, ""));
  EXPECT_EQ(sum.size(), 16u);
  EXPECT_NE(sum, action_job_id(kJob, ActionKind::kTranslate, "en"));
  EXPECT_NE(action_job_id(kJob, ActionKind::kTranslate, "en"),
            action_job_id(kJob, ActionKind::kTranslate, "de"));
  EXPECT_NE(sum, action_job_id("fedcba9876543210", ActionKind::kSummary, ""));
  EXPECT_NE(sum, kJob);
}

TEST(ActionKeyboard, OnlyWhatTheEnginesCanDo) {
  ActionMenu none;  // no text model, no translation endpoint
  none.subtitles = false;
  EXPECT_TRUE(action_keyboard(none, kJob, i18n::Lang::kEn, "id", {"txt", "srt"}).empty());

  ActionMenu engine_only{.summary = false, .engine_translation = true, .text_translation = false};
  auto kb = action_keyboard(engine_only, kJob, i18n::Lang::kEn, "id", {"txt", "srt"});
  ASSERT_EQ(kb.rows.size(), 1u);
  ASSERT_EQ(kb.rows[0].size(), 1u);
  EXPECT_EQ(kb.rows[0][0].text, "🌐 English");
  EXPECT_EQ(kb.rows[0][0].callback_data, "a:tr:en:" + kJob);
  // An English transcript needs no English translation.
  EXPECT_TRUE(action_keyboard(engine_only, kJob, i18n::Lang::kEn, "en", {"srt"}).empty());

  ActionMenu llm{.summary = true, .engine_translation = false, .text_translation = true};
  kb = action_keyboard(llm, kJob, i18n::Lang::kId, "id", {"txt"});
  ASSERT_EQ(kb.rows.size(), 1u);
  ASSERT_EQ(kb.rows[0].size(), 3u);
  EXPECT_EQ(kb.rows[0][0].text, "📝 Ringkasan");
  EXPECT_EQ(kb.rows[0][1].text, "🌐 Bahasa Inggris");
  EXPECT_EQ(kb.rows[0][2].text, "🎬 Subtitle");  // .srt not among the chat's files
  EXPECT_EQ(kb.rows[0][2].callback_data, "a:srt:" + kJob);
  EXPECT_EQ(source_job_in(kb), kJob);
  EXPECT_FALSE(source_job_in(telegram::InlineKeyboard{{{{"x", "other-bot"}}}}));
}

TEST(ActionMenuFromConfig, TranslationEndpointFollowsThePrimaryEngine) {
  config::Config c;
  c.transcriber = "groq";
  c.groq_api_key = "k";
  c.groq_model = "whisper-large-v3-turbo";  // translates through whisper-large-v3
  EXPECT_TRUE(action_menu(c, false).engine_translation);
  EXPECT_FALSE(action_menu(c, false).summary);
  EXPECT_TRUE(action_menu(c, true).summary);
  c.transcriber = "sphinx";
  EXPECT_FALSE(action_menu(c, false).engine_translation);
  EXPECT_FALSE(action_menu(c, false).can_translate_to("en"));
  EXPECT_TRUE(action_menu(c, true).can_translate_to("de"));
}

TEST(ActionKeyboardInMessages, OnTheTranscriptsLastTextMessageOnly) {
  config::Config c;
  c.output_formats = {"txt", "srt"};
  TranscriptMessages messages(c);
  messages.set_action_menu({.summary = true, .engine_translation = true, .text_translation = true});
  JobPayload p;
  p.chat_id = 5;
  p.reply_to_message_id = 9;
  transcript::Transcript t;
  t.language = "id";
  t.duration = 600;
  std::string long_text;
  while (long_text.size() < 6000) long_text += "kalimat panjang sekali. ";
  t.segments.push_back({0, 600, long_text, {}, {}, {}, {}, {}});
  c.message_file_threshold = 0;  // split into messages rather than a preview
  auto out = messages.transcript(kJob, p, t);
  std::vector<OutboxMessage> texts;
  for (const auto& e : out) {
    OutboxMessage m = outbox_message_from_json(e.body);
    if (m.method == OutboxMessage::Method::kSendMessage) texts.push_back(m);
    if (m.method == OutboxMessage::Method::kSendDocument) {
      EXPECT_FALSE(m.reply_markup);
    }
  }
  ASSERT_GE(texts.size(), 2u);
  for (size_t i = 0; i + 1 < texts.size(); ++i) EXPECT_FALSE(texts[i].reply_markup);
  ASSERT_TRUE(texts.back().reply_markup);
  EXPECT_EQ(source_job_in(*texts.back().reply_markup), kJob);
  EXPECT_EQ(texts.back().reply_markup->rows[0][0].callback_data, "a:sum:" + kJob);

  // An action's own result (a translation) carries no buttons.
  p.action = "translate";
  for (const auto& e : messages.transcript(kJob, p, t)) {
    EXPECT_FALSE(outbox_message_from_json(e.body).reply_markup);
  }
}

TEST(ActionOutbox, KeyboardSurvivesTheEntryAndOldEntriesHaveNone) {
  OutboxMessage m;
  m.chat_id = 3;
  m.text = "t";
  m.reply_markup = telegram::InlineKeyboard{{{{"📝 Summary", "a:sum:" + kJob}}}};
  OutboxMessage back = outbox_message_from_json(to_json(m));
  ASSERT_TRUE(back.reply_markup);
  EXPECT_EQ(back.reply_markup->rows[0][0].text, "📝 Summary");
  EXPECT_FALSE(
      outbox_message_from_json(R"({"method":"sendMessage","chat_id":3,"text":"t"})").reply_markup);
}

}  // namespace
}  // namespace tgscribe::jobs
