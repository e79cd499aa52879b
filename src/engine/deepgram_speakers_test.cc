// Deepgram diarization: diarize=true only when asked, and the per-word / per-utterance
// `speaker` numbers (0-based on the wire) mapped onto segments split at speaker changes.
#include <gtest/gtest.h>

#include "engine/deepgram_transcriber.h"
#include "engine/testing/fake_deepgram.h"
#include "engine/testing/test_audio.h"
#include "http/curl_http_client.h"

namespace tgscribe::engine {
namespace deepgram_speakers_test {

using testing::FakeDeepgram;
using testing::FakeDeepgramOptions;

TEST(DeepgramSpeakers, DiarizeIsAskedOnlyWhenWantedAndSpeakersReachTheSegments) {
  FakeDeepgramOptions fo;
  fo.text = "Good morning everyone. Morning! Shall we start?";
  FakeDeepgram fake(fo);
  fake.start();
  DeepgramTranscriber dg(fake.settings(), std::make_shared<http::CurlHttpClient>());

  auto plain = dg.transcribe(testing::speech_wav_audio(), {});
  EXPECT_EQ(fake.requests().at(0).query.count("diarize"), 0u);
  EXPECT_FALSE(plain.has_speakers());

  TranscribeOptions o;
  o.diarize = true;
  auto t = dg.transcribe(testing::speech_wav_audio(), o);
  const auto r = fake.requests().at(1);
  EXPECT_TRUE(r.problems.empty()) << r.problems.front();
  EXPECT_EQ(r.query.at("diarize"), "true");
  ASSERT_EQ(t.segments.size(), 3u);
  // The fake's sentences take turns: Deepgram's speakers 0, 1, 0 read as 1, 2, 1.
  EXPECT_EQ(t.segments[0].speaker, 1);
  EXPECT_EQ(t.segments[1].speaker, 2);
  EXPECT_EQ(t.segments[2].speaker, 1);
  EXPECT_EQ(t.segments[1].text, "Morning!");
  for (const auto& s : t.segments) {
    for (const auto& w : s.words) EXPECT_EQ(w.speaker, s.speaker) << w.text;
  }
}

TEST(DeepgramSpeakers, ParagraphsCarryTheirSpeakerWithoutUtterances) {
  FakeDeepgramOptions fo;
  fo.text = "One sentence here. And another one.";
  fo.utterances = false;
  FakeDeepgram fake(fo);
  fake.start();
  DeepgramTranscriber dg(fake.settings(), std::make_shared<http::CurlHttpClient>());
  TranscribeOptions o;
  o.diarize = true;
  auto t = dg.transcribe(testing::speech_wav_audio(), o);
  ASSERT_EQ(t.segments.size(), 2u);
  EXPECT_EQ(t.segments[0].speaker, 1);
  EXPECT_EQ(t.segments[1].speaker, 2);
}

TEST(DeepgramSpeakers, AnUtteranceWithTwoVoicesIsSplitWhereTheSpeakerChanges) {
  auto t = parse_deepgram_response(R"({"results":{"channels":[{"alternatives":[
    {"transcript":"yes no maybe"}]}],"utterances":[
    {"start":0,"end":3,"transcript":"Yes. No. Maybe.","speaker":0,"words":[
      {"word":"yes","start":0.0,"end":0.5,"punctuated_word":"Yes.","speaker":0},
      {"word":"no","start":1.0,"end":1.5,"punctuated_word":"No.","speaker":1},
      {"word":"maybe","start":2.0,"end":2.5,"punctuated_word":"Maybe.","speaker":1}]}]}})");
  ASSERT_EQ(t.segments.size(), 2u);
  EXPECT_EQ(t.segments[0].text, "Yes.");
  EXPECT_EQ(t.segments[0].speaker, 1);
  EXPECT_EQ(t.segments[1].text, "No. Maybe.");
  EXPECT_EQ(t.segments[1].speaker, 2);
  EXPECT_DOUBLE_EQ(t.segments[1].start, 1.0);
  EXPECT_DOUBLE_EQ(t.segments[1].end, 2.5);
}

TEST(DeepgramSpeakers, WordsOnlyAreSplitAtSpeakerChangesAndBadNumbersIgnored) {
  auto t = parse_deepgram_response(R"({"results":{"channels":[{"alternatives":[
    {"transcript":"a b c d","words":[
      {"word":"a","start":0.0,"end":0.4,"speaker":2},
      {"word":"b","start":0.5,"end":0.9,"speaker":2},
      {"word":"c","start":1.0,"end":1.4,"speaker":0},
      {"word":"d","start":1.5,"end":1.9,"speaker":"x"}]}]}]}})");
  ASSERT_EQ(t.segments.size(), 2u);
  EXPECT_EQ(t.segments[0].text, "a b");
  EXPECT_EQ(t.segments[0].speaker, 3);
  // "d" names no usable speaker: it stays with the one before it.
  EXPECT_EQ(t.segments[1].text, "c d");
  EXPECT_EQ(t.segments[1].speaker, 1);

  auto plain = parse_deepgram_response(R"({"results":{"channels":[{"alternatives":[
    {"transcript":"a b","words":[{"word":"a","start":0,"end":0.4},
                                 {"word":"b","start":0.5,"end":0.9}]}]}]}})");
  EXPECT_FALSE(plain.has_speakers());
}

}  // namespace deepgram_speakers_test
}  // namespace tgscribe::engine
