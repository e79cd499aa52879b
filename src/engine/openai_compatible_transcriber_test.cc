#include "engine/openai_compatible_transcriber.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/error.h"
#include "common/sha256.h"
#include "engine/testing/fake_openai.h"
#include "engine/testing/test_audio.h"
#include "http/curl_http_client.h"

namespace tgscribe::engine {
namespace {

using testing::FakeOpenAi;
using testing::FakeOpenAiOptions;
using testing::FakeReply;

OpenAiCompatibleSettings groq_settings(const FakeOpenAi& fake) {
  OpenAiCompatibleSettings s;
  s.name = "groq";
  s.base_url = fake.url();
  s.api_key = "test-openai-key";
  s.model = "whisper-large-v3-turbo";
  return s;
}

ErrorKind kind_of(Transcriber& t, const AudioFile& a, const TranscribeOptions& o = {}) {
  try {
    t.transcribe(a, o);
  } catch (const Error& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no error";
  return ErrorKind::kInternal;
}

class OpenAiCompatibleTest : public ::testing::Test {};

// Created after the fake in each test, so it is destroyed first and the fake server does not
// wait for its idle keep-alive connections.
std::shared_ptr<http::HttpClient> new_client() { return std::make_shared<http::CurlHttpClient>(); }

TEST_F(OpenAiCompatibleTest, VoiceNoteIsUploadedAsOggWithTheDocumentedFields) {
  FakeOpenAi fake;
  fake.set_text("Hello world. This is a short voice note.");
  fake.start();
  auto http = new_client();
  OpenAiCompatibleTranscriber groq(groq_settings(fake), http);
  AudioFile audio = testing::voice_note_audio();
  transcript::Transcript t = groq.transcribe(audio, {});

  auto reqs = fake.requests();
  ASSERT_EQ(reqs.size(), 1u);
  const auto& r = reqs[0];
  EXPECT_TRUE(r.problems.empty()) << r.problems.front();
  EXPECT_EQ(r.path, "/v1/audio/transcriptions");
  EXPECT_EQ(r.authorization, "Bearer test-openai-key");
  EXPECT_EQ(r.filename, "voice.ogg");  // .oga is refused by Groq; same bytes as .ogg
  EXPECT_EQ(r.content_type, "audio/ogg");
  EXPECT_EQ(r.sha256, sha256_file(audio.path.string()));  // bytes passed through untouched
  EXPECT_EQ(r.field("model"), "whisper-large-v3-turbo");
  EXPECT_EQ(r.field("response_format"), "verbose_json");
  EXPECT_EQ(r.all("timestamp_granularities[]"), std::vector<std::string>{"segment"});
  EXPECT_EQ(r.field("temperature"), "0");
  EXPECT_FALSE(r.has_field("language"));  // auto-detect = field left out
  EXPECT_FALSE(r.has_field("prompt"));

  ASSERT_EQ(t.segments.size(), 2u);
  EXPECT_EQ(t.segments[0].text, "Hello world.");
  EXPECT_EQ(t.segments[1].text, "This is a short voice note.");
  EXPECT_EQ(t.language, "en");  // "english" mapped to ISO 639-1
  EXPECT_EQ(t.engine, "groq");
  EXPECT_EQ(t.model, "whisper-large-v3-turbo");
  EXPECT_NEAR(t.duration, audio.info.duration_s, 0.2);
  EXPECT_LE(t.segments.back().end, audio.info.duration_s + 0.01);
  EXPECT_GT(t.segments.back().end, audio.info.duration_s / 2);
  ASSERT_TRUE(t.segments[0].no_speech_prob.has_value());
  ASSERT_TRUE(t.segments[0].avg_logprob.has_value());
  ASSERT_TRUE(t.segments[0].compression_ratio.has_value());
  EXPECT_TRUE(t.segments[0].words.empty());
}

TEST_F(OpenAiCompatibleTest, SendsLanguagePromptAndWordGranularity) {
  FakeOpenAi fake;
  fake.set_text("Halo dunia. Apa kabar semua?");
  fake.start();
  auto http = new_client();
  OpenAiCompatibleTranscriber groq(groq_settings(fake), http);
  TranscribeOptions o;
  o.language = "id";
  o.prompt = "Percakapan santai.";
  o.word_timestamps = true;
  double progress = 0;
  o.progress = [&](double f) { progress = f; };
  transcript::Transcript t = groq.transcribe(testing::voice_note_audio(), o);
  auto r = fake.requests().at(0);
  EXPECT_TRUE(r.problems.empty());
  EXPECT_EQ(r.field("language"), "id");
  EXPECT_EQ(r.field("prompt"), "Percakapan santai.");
  EXPECT_EQ(r.all("timestamp_granularities[]"), (std::vector<std::string>{"segment", "word"}));
  EXPECT_EQ(t.language, "id");
  ASSERT_EQ(t.segments.size(), 2u);
  // Top-level words are handed to the segment they fall in.
  ASSERT_EQ(t.segments[0].words.size(), 2u);
  EXPECT_EQ(t.segments[0].words[0].text, "Halo");
  EXPECT_EQ(t.segments[1].words.size(), 3u);
  EXPECT_EQ(t.segments[1].words[2].text, "semua?");
  for (const auto& seg : t.segments) {
    for (const auto& w : seg.words) {
      EXPECT_GE(w.start, seg.start - 1e-6);
      EXPECT_LE(w.end, seg.end + 1e-6);
    }
  }
  EXPECT_EQ(progress, 1.0);
}

TEST_F(OpenAiCompatibleTest, TranslationUsesTheTranslationsEndpoint) {
  FakeOpenAi fake;
  fake.set_text("Hello everybody.");
  fake.start();
  auto http = new_client();
  auto s = groq_settings(fake);
  s.model = "whisper-large-v3";
  OpenAiCompatibleTranscriber groq(s, http);
  TranscribeOptions o;
  o.translate = true;
  o.language = "id";
  transcript::Transcript t = groq.transcribe(testing::voice_note_audio(), o);
  auto r = fake.requests().at(0);
  EXPECT_TRUE(r.problems.empty()) << r.problems.front();
  EXPECT_EQ(r.path, "/v1/audio/translations");
  EXPECT_EQ(r.field("model"), "whisper-large-v3");
  EXPECT_FALSE(r.has_field("language"));
  EXPECT_EQ(t.language, "en");
  EXPECT_EQ(t.text(), "Hello everybody.");
}

TEST_F(OpenAiCompatibleTest, GroqTurboTranslatesWithLargeV3) {
  FakeOpenAi fake;
  fake.start();
  auto http = new_client();
  OpenAiCompatibleTranscriber groq(groq_settings(fake), http);  // whisper-large-v3-turbo
  EXPECT_TRUE(groq.caps().supports_translate);
  TranscribeOptions o;
  o.translate = true;
  auto t = groq.transcribe(testing::voice_note_audio(), o);
  auto r = fake.requests().at(0);
  EXPECT_EQ(r.path, "/v1/audio/translations");
  EXPECT_EQ(r.field("model"), "whisper-large-v3");
  EXPECT_EQ(t.model, "whisper-large-v3");
  EXPECT_EQ(t.language, "en");
}

TEST_F(OpenAiCompatibleTest, ModelWithoutTranslationIsRefusedLocally) {
  FakeOpenAi fake;
  fake.start();
  auto http = new_client();
  auto s = groq_settings(fake);
  s.name = "openai";
  s.model = "some-turbo-model";
  s.accepted_extensions = {"ogg"};
  OpenAiCompatibleTranscriber local(s, http);
  TranscribeOptions o;
  o.translate = true;
  EXPECT_FALSE(local.caps().supports_translate);
  EXPECT_EQ(kind_of(local, testing::voice_note_audio(), o), ErrorKind::kInvalidInput);
  EXPECT_TRUE(fake.requests().empty());
}

TEST_F(OpenAiCompatibleTest, SelfHostedServerWithoutKeyGetsNoAuthorizationHeader) {
  FakeOpenAiOptions fo;
  fo.api_key = "";
  FakeOpenAi fake(fo);
  fake.start();
  auto http = new_client();
  OpenAiCompatibleSettings s;
  s.name = "openai";
  s.base_url = fake.url() + "/";  // a trailing slash is tolerated
  s.model = "whisper-1";
  s.accepted_extensions = {"ogg", "wav"};
  OpenAiCompatibleTranscriber local(s, http);
  auto t = local.transcribe(testing::voice_note_audio(), {});
  auto r = fake.requests().at(0);
  EXPECT_TRUE(r.problems.empty()) << r.problems.front();
  EXPECT_EQ(r.authorization, "");
  EXPECT_EQ(r.path, "/v1/audio/transcriptions");
  EXPECT_FALSE(t.segments.empty());
}

TEST_F(OpenAiCompatibleTest, WrongKeyIsAnAuthErrorWithoutSecretsOrBody) {
  FakeOpenAi fake;
  fake.start();
  auto http = new_client();
  auto s = groq_settings(fake);
  s.api_key = "gsk_wrong_key_0123456789";
  OpenAiCompatibleTranscriber groq(s, http);
  try {
    groq.transcribe(testing::voice_note_audio(), {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kAuth);
    std::string m = e.what();
    EXPECT_NE(m.find("401"), std::string::npos) << m;
    EXPECT_NE(m.find("groq"), std::string::npos) << m;
    EXPECT_EQ(m.find("gsk_wrong"), std::string::npos) << m;
    EXPECT_EQ(m.find("Invalid API Key"), std::string::npos) << m;  // body not echoed
  }
}

TEST_F(OpenAiCompatibleTest, ServerFailuresMapToRetryableKinds) {
  FakeOpenAi fake;
  fake.start();
  auto http = new_client();
  auto s = groq_settings(fake);
  s.timeout = std::chrono::milliseconds(300);
  OpenAiCompatibleTranscriber groq(s, http);
  AudioFile audio = testing::voice_note_audio();

  fake.script_next(FakeReply::error(429, "17", R"({"error":{"message":"Rate limit reached"}})"));
  try {
    groq.transcribe(audio, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kRateLimited);
    EXPECT_EQ(e.retry_after(), std::chrono::milliseconds(17'000));
    EXPECT_EQ(std::string(e.what()).find("Rate limit reached"), std::string::npos);
  }
  fake.script_next(FakeReply::error(502));
  EXPECT_EQ(kind_of(groq, audio), ErrorKind::kServer);
  fake.script_next(FakeReply::drop());
  EXPECT_EQ(kind_of(groq, audio), ErrorKind::kNetwork);
  fake.script_next(FakeReply::transcript().after(std::chrono::milliseconds(1200)));
  EXPECT_EQ(kind_of(groq, audio), ErrorKind::kTimeout);
  fake.script_next(FakeReply::error(400));
  EXPECT_EQ(kind_of(groq, audio), ErrorKind::kClient);
  // A 200 with something else than a transcription is the server's fault, not ours.
  FakeReply html;
  html.body = "<html>gateway</html>";
  fake.script_next(html);
  EXPECT_EQ(kind_of(groq, audio), ErrorKind::kServer);
}

TEST_F(OpenAiCompatibleTest, FileOverTheLimitIsNotSent) {
  FakeOpenAi fake;
  fake.start();
  auto http = new_client();
  auto s = groq_settings(fake);
  s.max_upload_bytes = 1000;
  OpenAiCompatibleTranscriber groq(s, http);
  EXPECT_EQ(kind_of(groq, testing::voice_note_audio()), ErrorKind::kInvalidInput);
  EXPECT_TRUE(fake.requests().empty());
}

TEST_F(OpenAiCompatibleTest, FakeRefusesWhatTheRealServiceRefuses) {
  // The fake must catch a client that sends what OpenAI refuses (here: ogg).
  FakeOpenAiOptions fo;
  fo.accepted_extensions = {"mp3", "mp4", "mpeg", "mpga", "m4a", "wav", "webm"};
  FakeOpenAi fake(fo);
  fake.start();
  auto http = new_client();
  auto s = groq_settings(fake);
  s.accepted_extensions = {"ogg"};  // a misconfigured client
  OpenAiCompatibleTranscriber client(s, http);
  EXPECT_EQ(kind_of(client, testing::voice_note_audio()), ErrorKind::kClient);
  ASSERT_EQ(fake.requests().size(), 1u);
  EXPECT_EQ(fake.requests()[0].status, 400);
  EXPECT_FALSE(fake.requests()[0].problems.empty());
}

TEST_F(OpenAiCompatibleTest, CapsFollowTheService) {
  OpenAiCompatibleSettings s;
  s.name = "groq";
  s.model = "whisper-large-v3-turbo";
  EngineCaps groq = openai_compatible_caps(s);
  EXPECT_EQ(groq.min_billed_s, 10);
  EXPECT_NE(std::find(groq.accepted_extensions.begin(), groq.accepted_extensions.end(), "ogg"),
            groq.accepted_extensions.end());
  s.name = "openai";
  s.model = "whisper-1";
  EngineCaps openai = openai_compatible_caps(s);
  EXPECT_EQ(std::find(openai.accepted_extensions.begin(), openai.accepted_extensions.end(), "ogg"),
            openai.accepted_extensions.end());
  EXPECT_NE(std::find(openai.accepted_extensions.begin(), openai.accepted_extensions.end(), "webm"),
            openai.accepted_extensions.end());
  EXPECT_TRUE(openai.supports_translate);
  EXPECT_EQ(openai.min_billed_s, 0);
}

TEST(ParseOpenAiTranscription, ReadsNestedWordsAndPlainJson) {
  // whisper.cpp / speaches style: words inside segments, probability per word.
  auto t = parse_openai_transcription(R"({"language":"German","duration":4.5,"segments":[
      {"start":0.0,"end":2.0,"text":" Guten Tag","avg_logprob":-0.1,"no_speech_prob":0.02,
       "words":[{"word":" Guten","start":0.0,"end":0.9,"probability":0.9},
                {"word":" Tag","start":1.0,"end":2.0,"probability":0.8}]},
      {"start":2.5,"end":4.5,"text":"","words":[]}]})");
  EXPECT_EQ(t.language, "de");
  EXPECT_EQ(t.duration, 4.5);
  ASSERT_EQ(t.segments.size(), 1u);  // the empty segment is dropped
  EXPECT_EQ(t.segments[0].text, "Guten Tag");
  ASSERT_EQ(t.segments[0].words.size(), 2u);
  EXPECT_EQ(t.segments[0].words[1].text, "Tag");
  EXPECT_DOUBLE_EQ(t.segments[0].words[1].confidence, 0.8);
  EXPECT_FALSE(t.segments[0].compression_ratio.has_value());

  auto plain = parse_openai_transcription(R"({"text":" just text "})");
  ASSERT_EQ(plain.segments.size(), 1u);
  EXPECT_EQ(plain.segments[0].text, "just text");

  EXPECT_THROW(parse_openai_transcription("not json"), Error);
  EXPECT_THROW(parse_openai_transcription(R"({"error":"x"})"), Error);
}

// A /cancel (TranscribeOptions::cancelled) ends the request in flight while the engine still
// holds its answer, instead of when the engine finally answers.
TEST_F(OpenAiCompatibleTest, CancelAbortsTheRequestWhileTheEngineHoldsItsAnswer) {
  std::atomic<int> arrived{0};
  std::atomic<bool> release{false};  // before the fake: outlives its handler threads
  FakeOpenAi fake;
  fake.set_responder([&](const testing::FakeRequest&) {
    ++arrived;
    for (int i = 0; i < 3000 && !release; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return FakeReply::transcript();
  });
  fake.start();
  auto http = new_client();
  OpenAiCompatibleTranscriber groq(groq_settings(fake), http);
  TranscribeOptions o;
  o.cancelled = [&] { return arrived.load() > 0; };  // cancelled as soon as the engine has it
  EXPECT_EQ(kind_of(groq, testing::voice_note_audio(), o), ErrorKind::kCancelled);
  EXPECT_TRUE(fake.requests().empty()) << "the engine answered first";
  release = true;
}

}  // namespace
}  // namespace tgscribe::engine
