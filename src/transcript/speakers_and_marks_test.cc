// Speaker labels (diarized transcripts) and paragraph time marks in every writer, and the
// speaker fields through the JSON used by the -f json output and the cache.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "transcript/json_format.h"
#include "transcript/timing.h"
#include "transcript/writers.h"

namespace tgscribe::transcript {
namespace speakers_test {

Segment seg(double start, double end, const std::string& text, std::optional<int> speaker = {}) {
  Segment s;
  s.start = start;
  s.end = end;
  s.text = text;
  s.speaker = speaker;
  return s;
}

Transcript dialogue() {
  Transcript t;
  t.language = "en";
  t.segments = {seg(0.5, 2.0, "Hello there.", 1), seg(2.2, 3.0, "How are you?", 1),
                seg(3.1, 4.0, "Fine, thanks.", 2), seg(4.2, 5.0, "Good.", 1)};
  return t;
}

TEST(ParagraphMark, MinutesBelowAnHourHoursFromThenOn) {
  EXPECT_EQ(paragraph_mark(0), "[00:00]");
  EXPECT_EQ(paragraph_mark(65.9), "[01:05]");  // never past the paragraph's first word
  EXPECT_EQ(paragraph_mark(3599.99), "[59:59]");
  EXPECT_EQ(paragraph_mark(3600), "[1:00:00]");
  EXPECT_EQ(paragraph_mark(3723), "[1:02:03]");
  EXPECT_EQ(paragraph_mark(-4), "[00:00]");
  EXPECT_EQ(paragraph_mark(std::nan("")), "[00:00]");
}

TEST(TextMarks, EachParagraphStartsWithItsTime) {
  Transcript t;
  t.segments = {seg(1.2, 2.0, "First words."), seg(2.1, 3.0, "Same paragraph."),
                seg(65.0, 66.0, "After a pause."), seg(3725.0, 3726.0, "An hour later.")};
  EXPECT_EQ(to_txt(t, {.timestamps = true}),
            "[00:01] First words. Same paragraph.\n\n[01:05] After a pause.\n\n"
            "[1:02:05] An hour later.\n");
  // Off: the txt stays as it always was.
  EXPECT_EQ(to_txt(t), "First words. Same paragraph.\n\nAfter a pause.\n\nAn hour later.\n");
}

TEST(TextSpeakers, NamedAtEachChangeOfSpeaker) {
  EXPECT_EQ(to_txt(dialogue()),
            "Speaker 1: Hello there. How are you?\n\nSpeaker 2: Fine, thanks.\n\n"
            "Speaker 1: Good.\n");
  EXPECT_EQ(to_txt(dialogue(), {.timestamps = true, .speaker_label = "Pembicara"}),
            "[00:00] Pembicara 1: Hello there. How are you?\n\n[00:03] Pembicara 2: Fine, "
            "thanks.\n\n[00:04] Pembicara 1: Good.\n");
}

TEST(TextSpeakers, SameSpeakerAfterAPauseIsNotNamedAgain) {
  Transcript t;
  t.segments = {seg(0, 1, "One.", 1), seg(10, 11, "Two.", 1), seg(11.5, 12, "Three.", 2)};
  EXPECT_EQ(to_txt(t, {.timestamps = true}),
            "[00:00] Speaker 1: One.\n\n[00:10] Two.\n\n[00:11] Speaker 2: Three.\n");
}

TEST(TextSpeakers, WithoutSpeakersReadsLikeAPlainTranscript) {
  Transcript plain = without_speakers(dialogue());
  EXPECT_FALSE(plain.has_speakers());
  EXPECT_TRUE(dialogue().has_speakers());
  EXPECT_EQ(to_txt(plain), "Hello there. How are you? Fine, thanks. Good.\n");
  EXPECT_EQ(to_srt(plain).find("Speaker"), std::string::npos);
}

TEST(SubtitleSpeakers, SrtCuesStartWithTheSpeakerVttUsesVoiceTags) {
  std::string srt = to_srt(dialogue());
  EXPECT_NE(srt.find("00:00:00,500 --> 00:00:02,000\nSpeaker 1: Hello there.\n"), std::string::npos)
      << srt;
  EXPECT_NE(srt.find("\nSpeaker 2: Fine, thanks.\n"), std::string::npos) << srt;
  EXPECT_NE(srt.find("\nSpeaker 1: Good.\n"), std::string::npos) << srt;
  // Every cue names its speaker.
  size_t cues = 0, named = 0;
  for (size_t pos = srt.find(" --> "); pos != std::string::npos; pos = srt.find(" --> ", pos + 1))
    ++cues;
  for (size_t pos = srt.find("Speaker "); pos != std::string::npos;
       pos = srt.find("Speaker ", pos + 1))
    ++named;
  EXPECT_EQ(cues, 4u);
  EXPECT_EQ(named, cues);

  std::string vtt = to_vtt(dialogue(), {}, {.speaker_label = "Pembicara"});
  EXPECT_NE(vtt.find("00:00:03.100 --> 00:00:04.000\n<v Pembicara 2>Fine, thanks.\n"),
            std::string::npos)
      << vtt;
  // render() passes the options on.
  EXPECT_NE(render(Format::kSrt, dialogue(), "", {.speaker_label = "Pembicara"})
                .find("Pembicara 1: Hello there."),
            std::string::npos);
}

TEST(SubtitleSpeakers, LabelCannotBreakTheFormat) {
  std::string vtt = to_vtt(dialogue(), {}, {.speaker_label = "A<b>&"});
  EXPECT_NE(vtt.find("<v A&lt;b&gt;&amp; 1>"), std::string::npos) << vtt;
  std::string srt = to_srt(dialogue(), {}, {.speaker_label = "x-->\ny"});
  EXPECT_EQ(srt.find("x-->"), std::string::npos) << srt;
  EXPECT_NE(srt.find("x-> y 1: Hello"), std::string::npos) << srt;
}

TEST(JsonSpeakers, RoundTripAndOldEntriesLoad) {
  Transcript t = dialogue();
  t.segments[0].words = {{0.5, 1.0, "Hello", 0.9, 1}, {1.0, 2.0, "there.", 0.9, 1}};
  Transcript back = from_json(to_json(t));
  ASSERT_EQ(back.segments.size(), 4u);
  EXPECT_EQ(back.segments[0].speaker, 1);
  EXPECT_EQ(back.segments[2].speaker, 2);
  ASSERT_EQ(back.segments[0].words.size(), 2u);
  EXPECT_EQ(back.segments[0].words[1].speaker, 1);

  // The -f json output names the speaker per segment; a plain transcript has no such key.
  auto j = nlohmann::json::parse(to_json_output(t, "a.ogg"));
  EXPECT_EQ(j["segments"][2]["speaker"], 2);
  auto plain = nlohmann::json::parse(to_json_output(without_speakers(t), "a.ogg"));
  EXPECT_FALSE(plain["segments"][0].contains("speaker"));
  EXPECT_FALSE(plain["segments"][0]["words"][0].contains("speaker"));

  // A cache entry written before speakers existed, and nonsense in the field.
  Transcript old = from_json(
      R"({"language":"en","duration":2,"engine":"groq","text":"Hi.","segments":[{"start":0,"end":1,"text":"Hi."}]})");
  ASSERT_EQ(old.segments.size(), 1u);
  EXPECT_FALSE(old.segments[0].speaker.has_value());
  Transcript odd = from_json(
      R"({"segments":[{"start":0,"end":1,"text":"a","speaker":"x"},{"start":1,"end":2,"text":"b","speaker":-3}]})");
  EXPECT_FALSE(odd.segments[0].speaker.has_value());
  EXPECT_FALSE(odd.segments[1].speaker.has_value());
}

TEST(JsonSpeakers, NormalizedKeepsSpeakers) {
  Transcript t = dialogue();
  t.segments[2].words = {{3.1, 3.5, "Fine,", 0.9, 2}, {3.5, 4.0, "thanks.", 0.9, 2}};
  Transcript n = normalized(t);
  ASSERT_EQ(n.segments.size(), 4u);
  EXPECT_EQ(n.segments[2].speaker, 2);
  EXPECT_EQ(n.segments[2].words.at(1).speaker, 2);
}

}  // namespace speakers_test
}  // namespace tgscribe::transcript
