// Telegram's real update shapes through the real binary: payloads from
// tests/data/telegram-updates (see its SOURCES.md) delivered by the fake Telegram's getUpdates,
// with only what the fakes need substituted (a file_id the fake serves, a recent date where the
// test is not about age).
#include <gtest/gtest.h>

#include <ctime>

#include "e2e/bot_deployment.h"
#include "i18n/i18n.h"

namespace tgscribe {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using testing::BotDeployment;

json fixture(const std::string& name) {
  return json::parse(testing::read_file(std::filesystem::path(TGSCRIBE_SOURCE_DIR) / "tests" /
                                        "data" / "telegram-updates" / name));
}

void serve(json& message, const telegram::testing::FakeFile& file) {
  message["voice"]["file_id"] = file.file_id;
  message["voice"]["file_size"] = file.size;
}

class UpdateShapesE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(testing::spoken_clip().empty()) << "espeak-ng or ffmpeg failed";
    d_.start("bot", {{"BACKLOG_MAX_AGE_S", "600"}});
    ASSERT_TRUE(d_.wait_healthy("bot")) << d_.logs();
  }

  BotDeployment d_;
};

// Telegram's own example voice note predates file_unique_id: it is media all the same (only the
// file-key cache is skipped). The old binary answered "send me a voice note".
TEST_F(UpdateShapesE2e, AVoiceNoteWithoutFileUniqueIdIsTranscribed) {
  json u = fixture("official_example_voice_private.json");
  ASSERT_FALSE(u["message"]["voice"].contains("file_unique_id"));
  serve(u["message"], d_.add_voice(1));
  u["message"]["date"] = static_cast<int64_t>(std::time(nullptr));
  const int64_t chat = u["message"]["chat"]["id"].get<int64_t>();
  d_.tg.push_update(u);
  ASSERT_TRUE(testing::eventually([&] { return d_.answered(chat); }, seconds(30))) << d_.logs();
  EXPECT_EQ(d_.transcripts_in(chat), 1u);
  EXPECT_EQ(d_.messages_with(chat, i18n::tr(i18n::Lang::kEn, i18n::Msg::kSendMedia)), 0u);
}

// A voice note sent long before the bot saw it (the capture is from 2020) gets a short apology
// instead of a job; the fresh one behind it is transcribed as usual.
TEST_F(UpdateShapesE2e, ABacklogOldVoiceNoteGetsAnApologyInsteadOfAJob) {
  json old = fixture("voice_private.json");
  serve(old["message"], d_.add_voice(2));
  json fresh = old;
  fresh.erase("update_id");
  fresh["message"]["message_id"] = old["message"]["message_id"].get<int64_t>() + 1;
  fresh["message"]["date"] = static_cast<int64_t>(std::time(nullptr));
  serve(fresh["message"], d_.add_voice(3));
  const int64_t chat = old["message"]["chat"]["id"].get<int64_t>();
  const std::string apology = i18n::tr(i18n::Lang::kEn, i18n::Msg::kBacklogSkipped);
  d_.tg.push_update(old);
  d_.tg.push_update(fresh);
  ASSERT_TRUE(testing::eventually(
      [&] { return d_.answered(chat) && d_.messages_with(chat, apology) == 1; }, seconds(30)))
      << d_.logs();
  EXPECT_EQ(d_.transcripts_in(chat), 1u) << d_.logs();
  EXPECT_EQ(d_.tg.call_count("getFile"), 1u);  // the old one was not even looked at
  for (const auto& c : d_.delivered()) {
    if (c.text() == apology) {
      EXPECT_EQ(c.reply_to(), old["message"]["message_id"].get<int64_t>());
    }
  }
}

}  // namespace
}  // namespace tgscribe
