// Inline keyboards and callback queries through the real client against the fake Bot API:
// buttons go out with a message and come back in its updates; a tap is answered once; a tap
// Telegram no longer accepts (too old, answered already) is a client error, not a crash.
#include <gtest/gtest.h>

#include "http/curl_http_client.h"
#include "telegram/bot_api.h"
#include "telegram/testing/fake_bot_api.h"

namespace tgscribe::telegram {
namespace {

using testing::FakeBotApi;
using testing::MessageSpec;

struct CallbackFixture : ::testing::Test {
  FakeBotApi tg;
  http::CurlHttpClient http;
  BotApi api{BotApiOptions{.api_url = tg.url(), .token = tg.token()}, http};

  static InlineKeyboard keyboard() {
    InlineKeyboard kb;
    kb.rows = {
        {{"📝 Summary", "a:sum:0123456789abcdef"}, {"🌐 English", "a:tr:en:0123456789abcdef"}}};
    return kb;
  }
};

TEST_F(CallbackFixture, KeyboardIsSentAndComesBackInTheTap) {
  SendMessageParams p;
  p.chat_id = 5;
  p.text = "transcript";
  p.reply_markup = keyboard();
  Message sent = api.send_message(p);
  ASSERT_TRUE(sent.reply_markup);
  EXPECT_EQ(sent.reply_markup->rows[0][1].callback_data, "a:tr:en:0123456789abcdef");
  auto call = tg.calls("sendMessage").at(0);
  EXPECT_EQ(call.params["reply_markup"]["inline_keyboard"][0][0]["text"], "📝 Summary");

  auto shown = tg.sent_message(5, sent.message_id);
  ASSERT_TRUE(shown);
  auto tap =
      tg.push_callback(MessageSpec{.chat_id = 5, .user_id = 5}, *shown, "a:sum:0123456789abcdef");
  auto update = parse_update(tap.update);
  ASSERT_TRUE(update) << update.error;
  ASSERT_EQ(update->kind, UpdateKind::kCallbackQuery);
  EXPECT_EQ(update->callback_query->id, tap.callback_id);
  EXPECT_EQ(update->callback_query->data, "a:sum:0123456789abcdef");
  EXPECT_EQ(update->callback_query->message->message_id, sent.message_id);
  EXPECT_FALSE(update->callback_query->message_inaccessible);
  ASSERT_TRUE(update->callback_query->message->reply_markup);
  EXPECT_EQ(update->callback_query->message->reply_markup->rows[0].size(), 2u);
}

TEST_F(CallbackFixture, EditCanReplaceTheKeyboard) {
  Message sent = api.send_message({.chat_id = 5, .text = "a", .reply_markup = keyboard()});
  api.edit_message_text(
      {.chat_id = 5, .message_id = sent.message_id, .text = "b", .reply_markup = InlineKeyboard{}});
  auto call = tg.calls("editMessageText").at(0);
  EXPECT_EQ(call.params["reply_markup"], nlohmann::json::parse(R"({"inline_keyboard":[]})"));
  EXPECT_FALSE(tg.message_with_button(5, "a:"));
}

TEST_F(CallbackFixture, ATapIsAnsweredOnceAndAnOldOneIsRefused) {
  auto tap = tg.push_callback(MessageSpec{}, tg.make_message(MessageSpec{}), "a:sum:ab");
  api.answer_callback_query({.callback_query_id = tap.callback_id, .text = "on its way"});
  auto answered = tg.calls("answerCallbackQuery").at(0);
  EXPECT_EQ(answered.params["callback_query_id"], tap.callback_id);
  EXPECT_EQ(answered.params["text"], "on its way");
  EXPECT_EQ(answered.status, 200);
  // Answered already, and a tap on a message older than Telegram allows: 400, a client error.
  auto old = tg.push_old_callback(MessageSpec{}, 1001, 3, "a:sum:ab");
  for (const std::string& id : {tap.callback_id, old.callback_id}) {
    try {
      api.answer_callback_query({.callback_query_id = id});
      ADD_FAILURE() << "answered " << id;
    } catch (const ApiError& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kClient);
      EXPECT_NE(std::string(e.what()).find("query is too old"), std::string::npos) << e.what();
    }
  }
  auto update = parse_update(old.update);
  ASSERT_TRUE(update);
  EXPECT_TRUE(update->callback_query->message_inaccessible);
}

TEST_F(CallbackFixture, LongAnswerTextIsCutToTelegramsLimit) {
  auto tap = tg.push_callback(MessageSpec{}, tg.make_message(MessageSpec{}), "a:sum:ab");
  api.answer_callback_query(
      {.callback_query_id = tap.callback_id, .text = std::string(300, 'x'), .show_alert = true});
  auto call = tg.calls("answerCallbackQuery").at(0);
  EXPECT_EQ(call.status, 200);
  EXPECT_EQ(call.params["text"].get<std::string>().size(), 200u);
  EXPECT_EQ(call.params["show_alert"], true);
}

}  // namespace
}  // namespace tgscribe::telegram
