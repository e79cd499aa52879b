// The fake itself: clients other than ours (curl scripts, other encodings) must be understood
// the way Telegram understands them, or tests built on it would lie.
#include "telegram/testing/fake_bot_api.h"

#include <gtest/gtest.h>
#include <httplib.h>

namespace tgscribe::telegram::testing {
namespace {

TEST(FakeBotApi, DecodesFormQueryAndMultipartLikeTelegram) {
  FakeBotApi tg;
  httplib::Client c("127.0.0.1", tg.port());
  std::string base = "/bot" + tg.token();
  auto form = c.Post((base + "/sendMessage").c_str(),
                     "chat_id=-100123&text=hello+there&reply_parameters=%7B%22message_id%22%3A4%7D",
                     "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 200);
  auto query = c.Get((base + "/sendChatAction?chat_id=7&action=typing").c_str());
  ASSERT_TRUE(query);
  EXPECT_EQ(query->status, 200);
  httplib::MultipartFormDataItems items = {{"chat_id", "9", "", ""},
                                           {"caption", "123", "", ""},
                                           {"document", "bytes", "a.txt", "text/plain"}};
  auto multi = c.Post((base + "/sendDocument").c_str(), items);
  ASSERT_TRUE(multi);
  EXPECT_EQ(multi->status, 200);

  auto msg = tg.calls("sendMessage").at(0);
  EXPECT_EQ(msg.chat_id(), -100123);
  EXPECT_TRUE(msg.params["chat_id"].is_number());
  EXPECT_EQ(msg.text(), "hello there");
  EXPECT_EQ(msg.reply_to(), 4);
  EXPECT_EQ(tg.calls("sendChatAction").at(0).params["action"], "typing");
  auto doc = tg.calls("sendDocument").at(0);
  EXPECT_EQ(doc.chat_id(), 9);
  EXPECT_EQ(doc.params["caption"], "123");  // free text stays text
  EXPECT_EQ(doc.files.at("document").content, "bytes");
  EXPECT_EQ(doc.files.at("document").filename, "a.txt");
}

TEST(FakeBotApi, ChecksTokenAndAnswersErrorsInTelegramsShape) {
  FakeBotApi tg;
  httplib::Client c("127.0.0.1", tg.port());
  auto bad = c.Post("/bot1:wrong/getMe", "{}", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401);
  auto j = nlohmann::json::parse(bad->body);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["error_code"], 401);
  EXPECT_EQ(j["description"], "Unauthorized");

  tg.fail_next("sendMessage", 1, Fault::kRateLimit, 7);
  auto limited = c.Post(("/bot" + tg.token() + "/sendMessage").c_str(),
                        R"({"chat_id":1,"text":"x"})", "application/json");
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(nlohmann::json::parse(limited->body)["parameters"]["retry_after"], 7);
  auto empty = c.Post(("/bot" + tg.token() + "/sendMessage").c_str(), R"({"chat_id":1,"text":""})",
                      "application/json");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 400);
  auto too_long = c.Post(("/bot" + tg.token() + "/sendMessage").c_str(),
                         nlohmann::json{{"chat_id", 1}, {"text", std::string(4097, 'a')}}.dump(),
                         "application/json");
  ASSERT_TRUE(too_long);
  EXPECT_EQ(nlohmann::json::parse(too_long->body)["description"],
            "Bad Request: message is too long");
  // Every answer, good or bad, is recorded.
  EXPECT_EQ(tg.call_count(), 4u);
  EXPECT_EQ(tg.calls("sendMessage").at(0).status, 429);
}

}  // namespace
}  // namespace tgscribe::telegram::testing
