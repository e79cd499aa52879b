#include "engine/fallback_chain.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/metrics.h"
#include "common/redact.h"
#include "engine/deepgram_transcriber.h"
#include "engine/openai_compatible_transcriber.h"
#include "engine/testing/fake_deepgram.h"
#include "engine/testing/fake_openai.h"
#include "engine/testing/test_audio.h"
#include "http/curl_http_client.h"
#include "media/media_error.h"
#include "media/media_info.h"

namespace tgscribe::engine {
namespace {

using testing::FakeDeepgram;
using testing::FakeOpenAi;
using testing::FakeReply;

class FallbackChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    groq_fake.start();
    deepgram_fake.start();
    auto http = std::make_shared<http::CurlHttpClient>();
    OpenAiCompatibleSettings g;
    g.name = "groq";
    g.base_url = groq_fake.url();
    g.api_key = "test-openai-key";
    g.model = "whisper-large-v3-turbo";
    groq = std::make_shared<OpenAiCompatibleTranscriber>(g, http);
    DeepgramSettings d;
    d.base_url = deepgram_fake.url();
    d.api_key = "test-deepgram-key";
    deepgram = std::make_shared<DeepgramTranscriber>(d, http);
    audio.path = testing::voice_note();
    audio.filename = "voice.oga";
    audio.content_type = "audio/ogg";
    audio.info = media::probe_file(audio.path, {});
  }
  std::function<transcript::Transcript(Transcriber&)> attempt() {
    return [this](Transcriber& t) { return t.transcribe(audio, {}); };
  }

  FakeOpenAi groq_fake;
  FakeDeepgram deepgram_fake;
  std::shared_ptr<Transcriber> groq, deepgram;
  AudioFile audio;
};

TEST_F(FallbackChainTest, PrimaryWinsWhenItWorks) {
  FallbackChain chain({groq, deepgram});
  auto t = chain.run(attempt());
  EXPECT_EQ(t.engine, "groq");
  EXPECT_EQ(groq_fake.requests().size(), 1u);
  EXPECT_TRUE(deepgram_fake.requests().empty());
}

TEST_F(FallbackChainTest, NextEngineTakesOverWhenThePrimaryFails) {
  groq_fake.script_next(FakeReply::error(500));
  FallbackChain chain({groq, deepgram});
  auto& m = metrics::Registry::global();
  const double groq_failed =
      m.counter_value("engine_jobs_total", {{"engine", "groq"}, {"result", "server"}});
  const double deepgram_ok =
      m.counter_value("engine_jobs_total", {{"engine", "deepgram"}, {"result", "ok"}});
  auto t = chain.run(attempt());
  EXPECT_EQ(m.counter_value("engine_jobs_total", {{"engine", "groq"}, {"result", "server"}}),
            groq_failed + 1);
  EXPECT_EQ(m.counter_value("engine_jobs_total", {{"engine", "deepgram"}, {"result", "ok"}}),
            deepgram_ok + 1);
  EXPECT_EQ(t.engine, "deepgram");
  EXPECT_FALSE(t.segments.empty());
  EXPECT_EQ(groq_fake.requests().size(), 1u);
  EXPECT_EQ(deepgram_fake.requests().size(), 1u);
  EXPECT_TRUE(deepgram_fake.requests()[0].problems.empty());
}

TEST_F(FallbackChainTest, FinalErrorNamesEveryEngineWithoutBodiesOrSecrets) {
  register_secret("test-deepgram-key");
  groq_fake.script_next(FakeReply::error(429, "5", R"({"error":{"message":"SECRET BODY"}})"));
  deepgram_fake.script_next(FakeReply::error(503, "", R"({"err_msg":"SECRET BODY"})"));
  FallbackChain chain({groq, deepgram});
  try {
    chain.run(attempt());
    FAIL();
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("groq"), std::string::npos) << m;
    EXPECT_NE(m.find("429"), std::string::npos) << m;
    EXPECT_NE(m.find("deepgram"), std::string::npos) << m;
    EXPECT_NE(m.find("503"), std::string::npos) << m;
    EXPECT_EQ(m.find("SECRET BODY"), std::string::npos) << m;
    EXPECT_EQ(m.find("test-deepgram-key"), std::string::npos) << m;
    EXPECT_EQ(e.kind(), ErrorKind::kServer);
  }
}

TEST_F(FallbackChainTest, CancellationAndRejectedMediaStopTheChain) {
  FallbackChain chain({groq, deepgram});
  int calls = 0;
  EXPECT_THROW(chain.run([&](Transcriber&) -> transcript::Transcript {
    ++calls;
    throw Error(ErrorKind::kCancelled, "cancelled");
  }),
               Error);
  EXPECT_EQ(calls, 1);
  calls = 0;
  EXPECT_THROW(chain.run([&](Transcriber&) -> transcript::Transcript {
    ++calls;
    throw media::MediaRejected(media::RejectReason::kCorrupt, "truncated");
  }),
               media::MediaRejected);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace tgscribe::engine
