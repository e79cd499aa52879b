#include "engine/deepgram_transcriber.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/sha256.h"
#include "engine/testing/fake_deepgram.h"
#include "engine/testing/test_audio.h"
#include "http/curl_http_client.h"

namespace tgscribe::engine {
namespace {

using testing::FakeDeepgram;
using testing::FakeDeepgramOptions;
using testing::FakeReply;

TEST(DeepgramTranscriber, StreamsRawBodyAndMapsUtterancesWithWords) {
  FakeDeepgramOptions fo;
  fo.text = "Hello world. This is Deepgram speaking.";
  fo.detected_language = "en";
  FakeDeepgram fake(fo);
  fake.start();
  DeepgramTranscriber dg(fake.settings(), std::make_shared<http::CurlHttpClient>());
  AudioFile audio = testing::speech_wav_audio();
  auto t = dg.transcribe(audio, {});

  ASSERT_EQ(fake.requests().size(), 1u);
  const auto r = fake.requests()[0];
  EXPECT_TRUE(r.problems.empty()) << r.problems.front();
  EXPECT_EQ(r.path, "/v1/listen");
  EXPECT_EQ(r.authorization, "Token test-deepgram-key");
  EXPECT_EQ(r.content_type, "audio/wav");
  EXPECT_EQ(r.sha256, sha256_file(audio.path.string()));
  EXPECT_EQ(r.query.at("model"), "nova-3");
  EXPECT_EQ(r.query.at("smart_format"), "true");
  EXPECT_EQ(r.query.at("utterances"), "true");
  EXPECT_EQ(r.query.at("detect_language"), "true");
  EXPECT_EQ(r.query.at("mip_opt_out"), "true");
  EXPECT_EQ(r.query.count("language"), 0u);

  EXPECT_EQ(t.engine, "deepgram");
  EXPECT_EQ(t.model, "nova-3");
  EXPECT_EQ(t.language, "en");
  EXPECT_NEAR(t.duration, audio.info.duration_s, 0.2);
  ASSERT_EQ(t.segments.size(), 2u);
  EXPECT_EQ(t.segments[0].text, "Hello world.");
  EXPECT_EQ(t.segments[1].text, "This is Deepgram speaking.");
  ASSERT_EQ(t.segments[1].words.size(), 4u);
  // smart_format's punctuated words, not the bare lower-case tokens.
  EXPECT_EQ(t.segments[1].words[2].text, "Deepgram");
  EXPECT_EQ(t.segments[1].words[3].text, "speaking.");
  EXPECT_GT(t.segments[1].words[3].confidence, 0);
  EXPECT_GE(t.segments[1].start, t.segments[0].end - 1e-6);
}

TEST(DeepgramTranscriber, FixedLanguageReplacesDetection) {
  FakeDeepgram fake;
  fake.start();
  DeepgramTranscriber dg(fake.settings(), std::make_shared<http::CurlHttpClient>());
  TranscribeOptions o;
  o.language = "id";
  auto t = dg.transcribe(testing::speech_wav_audio(), o);
  const auto r = fake.requests().at(0);
  EXPECT_TRUE(r.problems.empty()) << r.problems.front();
  EXPECT_EQ(r.query.at("language"), "id");
  EXPECT_EQ(r.query.count("detect_language"), 0u);
  EXPECT_EQ(t.language, "id");
}

TEST(DeepgramTranscriber, FallsBackToParagraphsWithoutUtterances) {
  FakeDeepgramOptions fo;
  fo.text = "One sentence here. And another one.";
  fo.utterances = false;
  FakeDeepgram fake(fo);
  fake.start();
  DeepgramTranscriber dg(fake.settings(), std::make_shared<http::CurlHttpClient>());
  auto t = dg.transcribe(testing::speech_wav_audio(), {});
  ASSERT_EQ(t.segments.size(), 2u);
  EXPECT_EQ(t.segments[0].text, "One sentence here.");
  EXPECT_EQ(t.segments[1].text, "And another one.");
  EXPECT_EQ(t.segments[0].words.size(), 3u);
  EXPECT_EQ(t.segments[1].words.size(), 3u);
}

TEST(DeepgramTranscriber, ErrorsAreClassifiedAndTranslationRefused) {
  FakeDeepgram fake;
  fake.start();
  auto s = fake.settings();
  s.api_key = "wrong-key-123456";
  DeepgramTranscriber bad(s, std::make_shared<http::CurlHttpClient>());
  try {
    bad.transcribe(testing::speech_wav_audio(), {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kAuth);
    EXPECT_EQ(std::string(e.what()).find("wrong-key"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("Invalid credentials"), std::string::npos);
  }
  DeepgramTranscriber dg(fake.settings(), std::make_shared<http::CurlHttpClient>());
  fake.script_next(FakeReply::error(429, "3"));
  try {
    dg.transcribe(testing::speech_wav_audio(), {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kRateLimited);
    EXPECT_EQ(e.retry_after(), std::chrono::milliseconds(3000));
  }
  TranscribeOptions o;
  o.translate = true;
  size_t before = fake.requests().size();
  EXPECT_THROW(dg.transcribe(testing::speech_wav_audio(), o), Error);
  EXPECT_EQ(fake.requests().size(), before);
}

TEST(ParseDeepgramResponse, WordsOnlyAreGroupedAtPauses) {
  auto t = parse_deepgram_response(R"({"metadata":{"duration":10},"results":{"channels":[
    {"detected_language":"en-US","alternatives":[{"transcript":"a b c d","words":[
      {"word":"a","start":0.0,"end":0.4,"confidence":0.9,"punctuated_word":"A"},
      {"word":"b","start":0.5,"end":0.9,"confidence":0.9,"punctuated_word":"b."},
      {"word":"c","start":4.0,"end":4.4,"confidence":0.9,"punctuated_word":"C"},
      {"word":"d","start":4.5,"end":5.0,"confidence":0.9}]}]}]}})");
  EXPECT_EQ(t.language, "en");
  EXPECT_EQ(t.duration, 10);
  ASSERT_EQ(t.segments.size(), 2u);
  EXPECT_EQ(t.segments[0].text, "A b.");
  EXPECT_EQ(t.segments[1].text, "C d");
  EXPECT_DOUBLE_EQ(t.segments[1].start, 4.0);
  EXPECT_DOUBLE_EQ(t.segments[1].end, 5.0);

  auto only_text = parse_deepgram_response(
      R"({"metadata":{"duration":3},"results":{"channels":[{"alternatives":[{"transcript":"hi"}]}]}})");
  ASSERT_EQ(only_text.segments.size(), 1u);
  EXPECT_EQ(only_text.segments[0].text, "hi");
  EXPECT_DOUBLE_EQ(only_text.segments[0].end, 3);

  auto silence = parse_deepgram_response(
      R"({"results":{"channels":[{"alternatives":[{"transcript":"","words":[]}]}]}})");
  EXPECT_TRUE(silence.segments.empty());

  EXPECT_THROW(parse_deepgram_response(R"({"err_code":"x"})"), Error);
}

}  // namespace
}  // namespace tgscribe::engine
