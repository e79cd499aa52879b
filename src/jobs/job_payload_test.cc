#include "jobs/job_payload.h"

#include <gtest/gtest.h>

namespace tgscribe::jobs {
namespace {

TEST(JobPayload, RoundTripsEveryField) {
  JobPayload p;
  p.chat_id = -1001234567890;
  p.group = true;
  p.thread_id = 77;
  p.reply_to_message_id = 42;
  p.user_id = 5'000'000'000;
  p.requester_name = "Budi Santoso";
  p.user_lang = "id";
  p.language = "id";
  p.media_owner_id = 6;
  p.media_owner_name = "Ana";
  p.media.kind = telegram::MediaKind::kDocument;
  p.media.file_id = "BQACAgI";
  p.media.file_unique_id = "AgAD1";
  p.media.file_name = "rapat pagi.m4a";
  p.media.mime_type = "audio/mp4";
  p.media.file_size = 3'000'000'000;  // beyond 2^31
  p.media.duration = 5400;

  JobPayload q = payload_from_json(to_json(p));
  EXPECT_EQ(q.chat_id, p.chat_id);
  EXPECT_TRUE(q.group);
  ASSERT_TRUE(q.thread_id);
  EXPECT_EQ(*q.thread_id, 77);
  EXPECT_EQ(q.reply_to_message_id, 42);
  EXPECT_EQ(q.user_id, p.user_id);
  EXPECT_EQ(q.requester_name, p.requester_name);
  EXPECT_EQ(q.user_lang, "id");
  EXPECT_EQ(q.language, "id");
  EXPECT_EQ(q.media_owner_id, 6);
  EXPECT_EQ(q.media_owner_name, "Ana");
  EXPECT_EQ(q.media.kind, telegram::MediaKind::kDocument);
  EXPECT_EQ(q.media.file_id, p.media.file_id);
  EXPECT_EQ(q.media.file_unique_id, p.media.file_unique_id);
  EXPECT_EQ(q.media.file_name, p.media.file_name);
  EXPECT_EQ(q.media.mime_type, p.media.mime_type);
  EXPECT_EQ(q.media.file_size, p.media.file_size);
  EXPECT_EQ(q.media.duration, 5400);
}

TEST(JobPayload, NoThreadStaysUnset) {
  JobPayload p;
  p.chat_id = 1;
  p.media.file_id = "x";
  EXPECT_FALSE(payload_from_json(to_json(p)).thread_id);
}

TEST(JobPayload, CorruptPayloadThrowsRuntimeError) {
  EXPECT_THROW(payload_from_json("not json"), std::runtime_error);
  EXPECT_THROW(payload_from_json("{}"), std::runtime_error);
  EXPECT_THROW(payload_from_json(R"({"chat_id":1,"media":{"kind":"sticker","file_id":"x"}})"),
               std::runtime_error);
}

TEST(JobPayload, ShortId) { EXPECT_EQ(short_id("3f2a9c01deadbeef"), "3f2a9c01"); }

}  // namespace
}  // namespace tgscribe::jobs

namespace tgscribe::jobs {
namespace {

TEST(JobPayloadAction, ActionFieldsRoundTripAndOldPayloadsHaveNone) {
  JobPayload p;
  p.chat_id = 7;
  p.media.file_id = "F";
  p.action = "translate";
  p.target_language = "de";
  p.source_job = "0123456789abcdef";
  JobPayload q = payload_from_json(to_json(p));
  EXPECT_EQ(q.action, "translate");
  EXPECT_EQ(q.target_language, "de");
  EXPECT_EQ(q.source_job, "0123456789abcdef");
  // A payload written before actions existed: a transcript job.
  JobPayload old = payload_from_json(
      R"({"v":1,"chat_id":7,"media":{"kind":"voice","file_id":"F"},"user_lang":"en"})");
  EXPECT_EQ(old.action, "");
  EXPECT_EQ(old.target_language, "");
  // A transcript job writes no action fields at all (older versions read it unchanged).
  p.action.clear();
  EXPECT_EQ(to_json(p).find("action"), std::string::npos);
}

}  // namespace
}  // namespace tgscribe::jobs

namespace tgscribe::jobs {
namespace {

TEST(JobPayloadChoices, ChatChoicesRoundTripAndOldPayloadsUseTheDefaults) {
  JobPayload p;
  p.chat_id = 7;
  p.media.file_id = "F";
  p.formats = std::vector<std::string>{"vtt"};
  p.timestamps = true;
  p.speakers = true;
  JobPayload q = payload_from_json(to_json(p));
  EXPECT_EQ(q.formats, std::vector<std::string>{"vtt"});
  EXPECT_TRUE(q.timestamps);
  EXPECT_TRUE(q.speakers);
  // "none" (message only) is an empty list, not the default.
  p.formats = std::vector<std::string>{};
  q = payload_from_json(to_json(p));
  ASSERT_TRUE(q.formats.has_value());
  EXPECT_TRUE(q.formats->empty());
  // Admitted by a version without choices: OUTPUT_FORMATS, no marks, no speakers.
  JobPayload old = payload_from_json(
      R"({"v":1,"chat_id":7,"media":{"kind":"voice","file_id":"F"},"user_lang":"en"})");
  EXPECT_FALSE(old.formats.has_value());
  EXPECT_FALSE(old.timestamps);
  EXPECT_FALSE(old.speakers);
}

}  // namespace
}  // namespace tgscribe::jobs
