#include "jobs/transcript_messages.h"

#include <gtest/gtest.h>

#include "common/utf8.h"

namespace tgscribe::jobs {
namespace {

TEST(TranscriptMessagesNames, FilesAreNamedAfterTheMedia) {
  JobPayload p;
  p.media.file_name = "Rapat Pagi.final.m4a";
  EXPECT_EQ(TranscriptMessages::output_name(p, "srt"), "Rapat Pagi.final.srt");
  p.media.file_name = "";
  EXPECT_EQ(TranscriptMessages::output_name(p, "txt"), "transcript.txt");
  p.media.file_name = "noext";
  EXPECT_EQ(TranscriptMessages::output_name(p, "vtt"), "noext.vtt");
}

// A user's name reaches the filesystem (the upload's temp file) and Telegram: one component,
// at most 120 bytes of stem, cut between characters.
TEST(TranscriptMessagesName, UserNamesAreCleanedAndCutInBytes) {
  JobPayload p;
  p.media.file_name = "../../etc/passwd";
  EXPECT_EQ(TranscriptMessages::output_name(p, "txt"), "passwd.txt");
  p.media.file_name = "..\\evil\x01\x7f\xe2\x80\xae.ogg";
  EXPECT_EQ(TranscriptMessages::output_name(p, "txt"), "evil.txt");
  p.media.file_name = "..";
  EXPECT_EQ(TranscriptMessages::output_name(p, "txt"), "transcript.txt");
  p.media.file_name.clear();
  while (p.media.file_name.size() < 5000) p.media.file_name += "Запись会議";
  p.media.file_name += ".ogg";
  std::string name = TranscriptMessages::output_name(p, "srt");
  EXPECT_LE(name.size(), 124u);
  EXPECT_GT(name.size(), 124u - 4);  // filled up to the last whole character
  EXPECT_EQ(name.substr(name.size() - 4), ".srt");
  EXPECT_EQ(utf8::from_u32(utf8::to_u32(name)), name);  // valid UTF-8
}

TEST(TranscriptMessagesPreview, CutsAtAWordWithinTheLimit) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "kata" + std::to_string(i) + " ";
  std::string p = TranscriptMessages::preview(text, 1500);
  EXPECT_LE(utf8::code_point_count(p), 1502u);
  EXPECT_EQ(p.substr(p.size() - 4), " \xE2\x80\xA6");  // " …"
  std::string body = p.substr(0, p.size() - 4);
  EXPECT_EQ(text.rfind(body, 0), 0u);  // a prefix of the text
  EXPECT_EQ(text[body.size()], ' ');   // ended at a word boundary
}

TEST(TranscriptMessagesPreview, ShortTextIsUnchangedAndMultibyteIsNotBroken) {
  EXPECT_EQ(TranscriptMessages::preview("pendek saja", 1500), "pendek saja");
  std::string emoji;
  for (int i = 0; i < 600; ++i) emoji += "😀";
  std::string p = TranscriptMessages::preview(emoji, 500);
  EXPECT_EQ(utf8::sanitize(p), p);  // valid UTF-8: no code point cut in half
  EXPECT_EQ(utf8::code_point_count(p), 502u);
}

}  // namespace
}  // namespace tgscribe::jobs
