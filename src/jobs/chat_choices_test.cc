// A finished transcript as the chat asked for it: files, time marks, speaker labels.
#include "jobs/chat_choices.h"

#include <gtest/gtest.h>

#include "jobs/transcript_messages.h"

namespace tgscribe::jobs {
namespace chat_choices_test {

transcript::Transcript two_speakers() {
  transcript::Transcript t;
  t.language = "en";
  t.engine = "deepgram";
  t.duration = 70;
  auto seg = [](double a, double b, const char* text, int speaker) {
    transcript::Segment s;
    s.start = a;
    s.end = b;
    s.text = text;
    s.speaker = speaker;
    return s;
  };
  t.segments = {seg(0.4, 2, "Shall we start?", 1), seg(2.5, 4, "Yes, please.", 2),
                seg(65, 67, "Thanks, everyone.", 1)};
  return t;
}

JobPayload payload(const std::string& user_lang) {
  JobPayload p;
  p.chat_id = 5;
  p.user_lang = user_lang;
  p.media.file_id = "F";
  return p;
}

std::string file_content(const std::vector<store::OutboxEntry>& out, const std::string& id,
                         std::vector<std::string>* files = nullptr) {
  std::string found;
  for (const auto& e : out) {
    OutboxMessage m = outbox_message_from_json(e.body);
    if (m.method != OutboxMessage::Method::kSendDocument) continue;
    if (files) files->push_back(m.file_name);
    if (e.id == id) found = m.content;
  }
  return found;
}

std::string first_text(const std::vector<store::OutboxEntry>& out) {
  return outbox_message_from_json(out.at(0).body).text;
}

TEST(ChatChoices, FormatsFollowTheChatElseTheConfiguration) {
  config::Config c;
  c.output_formats = {"txt", "srt"};
  JobPayload p = payload("en");
  EXPECT_EQ(chat_formats(p, c), (std::vector<std::string>{"txt", "srt"}));
  p.formats = std::vector<std::string>{"vtt"};
  EXPECT_EQ(chat_formats(p, c), std::vector<std::string>{"vtt"});
  p.formats = std::vector<std::string>{};
  EXPECT_TRUE(chat_formats(p, c).empty());

  TranscriptMessages messages(c);
  std::vector<std::string> files;
  file_content(messages.transcript("j1", p, two_speakers()), "", &files);
  EXPECT_TRUE(files.empty());  // none: the message only
  p.formats = std::vector<std::string>{"vtt", "json"};
  files.clear();
  file_content(messages.transcript("j1", p, two_speakers()), "", &files);
  EXPECT_EQ(files, (std::vector<std::string>{"transcript.vtt", "transcript.json"}));
}

TEST(ChatChoices, SpeakersAreShownOnlyToChatsThatAskedInTheirLanguage) {
  config::Config c;
  c.output_formats = {"txt", "srt", "vtt", "json"};
  TranscriptMessages messages(c);
  JobPayload p = payload("id");
  p.speakers = true;
  auto out = messages.transcript("j1", p, two_speakers());
  std::string text = first_text(out);
  EXPECT_EQ(text.rfind("Pembicara 1: Shall we start?\n\nPembicara 2: Yes, please.\n\n"
                       "Pembicara 1: Thanks, everyone.",
                       0),
            0u)
      << text;
  EXPECT_NE(file_content(out, "j1:file:txt").find("Pembicara 2: Yes, please."), std::string::npos);
  EXPECT_NE(file_content(out, "j1:file:srt").find("Pembicara 1: Shall we start?"),
            std::string::npos);
  EXPECT_NE(file_content(out, "j1:file:vtt").find("<v Pembicara 2>Yes, please."),
            std::string::npos);
  EXPECT_NE(file_content(out, "j1:file:json").find("\"speaker\": 2"), std::string::npos);

  // The same (cached, diarized) transcript for a chat that did not ask: no trace of speakers.
  p.speakers = false;
  p.user_lang = "en";
  out = messages.transcript("j2", p, two_speakers());
  EXPECT_EQ(first_text(out).rfind("Shall we start? Yes, please. Thanks, everyone.", 0), 0u)
      << first_text(out);
  for (const char* id : {"j2:file:txt", "j2:file:srt", "j2:file:vtt", "j2:file:json"}) {
    std::string content = file_content(out, id);
    EXPECT_FALSE(content.empty()) << id;
    EXPECT_EQ(content.find("Speaker"), std::string::npos) << id << content;
    EXPECT_EQ(content.find("speaker"), std::string::npos) << id << content;
  }
}

TEST(ChatChoices, TimestampsMarkEveryParagraphOfTheMessageAndTheTxt) {
  config::Config c;
  c.output_formats = {"txt"};
  TranscriptMessages messages(c);
  JobPayload p = payload("en");
  p.timestamps = true;
  transcript::Transcript t = transcript::without_speakers(two_speakers());
  auto out = messages.transcript("j1", p, t);
  EXPECT_EQ(first_text(out).rfind("[00:00] Shall we start? Yes, please.\n\n[01:05] Thanks, "
                                  "everyone.",
                                  0),
            0u)
      << first_text(out);
  EXPECT_EQ(file_content(out, "j1:file:txt"),
            "[00:00] Shall we start? Yes, please.\n\n[01:05] Thanks, everyone.\n");
  // Both choices at once.
  p.speakers = true;
  out = messages.transcript("j2", p, two_speakers());
  EXPECT_EQ(first_text(out).rfind("[00:00] Speaker 1: Shall we start?\n\n[00:02] Speaker 2: Yes, "
                                  "please.\n\n[01:05] Speaker 1: Thanks, everyone.",
                                  0),
            0u)
      << first_text(out);
}

}  // namespace chat_choices_test
}  // namespace tgscribe::jobs
