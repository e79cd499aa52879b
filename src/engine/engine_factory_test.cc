#include "engine/engine_factory.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "engine/language_codes.h"
#include "engine/testing/fake_openai.h"
#include "engine/testing/test_audio.h"

namespace tgscribe::engine {
namespace {

std::vector<std::string> names(const std::vector<std::shared_ptr<Transcriber>>& chain) {
  std::vector<std::string> out;
  for (const auto& t : chain) out.push_back(t->caps().name);
  return out;
}

TEST(EngineFactory, AutoPicksByKeysInContractOrder) {
  config::Config c;
  c.deepgram_api_key = "dg-key-123456";
  EXPECT_EQ(names(make_engine_chain(c)), std::vector<std::string>{"deepgram"});
  c.openai_api_key = "sk-key-123456";
  EXPECT_EQ(names(make_engine_chain(c)), std::vector<std::string>{"openai"});
  c.groq_api_key = "gsk-key-123456";
  EXPECT_EQ(names(make_engine_chain(c)), std::vector<std::string>{"groq"});
}

TEST(EngineFactory, ChainIsPrimaryThenFallbacksWithoutDuplicates) {
  config::Config c;
  c.transcriber = "groq";
  c.groq_api_key = "gsk-key-123456";
  c.deepgram_api_key = "dg-key-123456";
  c.transcriber_fallback = {"deepgram", "groq", " Deepgram "};
  EXPECT_EQ(names(make_engine_chain(c)), (std::vector<std::string>{"groq", "deepgram"}));
}

TEST(EngineFactory, MissingKeysAndUnknownNamesAreConfigurationErrors) {
  config::Config c;
  for (const char* name : {"groq", "deepgram", "openai", "whisperx"}) {
    try {
      make_transcriber(c, name);
      ADD_FAILURE() << name;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput) << name;
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  }
  // A self-hosted OpenAI-compatible server needs no key.
  c.openai_api_url = "http://127.0.0.1:8000/v1";
  EXPECT_EQ(make_transcriber(c, "openai")->caps().name, "openai");
}

TEST(EngineFactory, LimitsComeFromConfig) {
  config::Config c;
  c.groq_api_key = "gsk-key-123456";
  c.deepgram_api_key = "dg-key-123456";
  c.engine_concurrency = 2;
  EXPECT_EQ(make_transcriber(c, "groq")->caps().max_upload_bytes, 25'000'000);
  EXPECT_EQ(make_transcriber(c, "deepgram")->caps().max_upload_bytes, 2'000'000'000);
  EXPECT_EQ(make_transcriber(c, "groq")->caps().max_concurrency, 2);
  c.api_max_upload_mb = 1.5;
  EXPECT_EQ(make_transcriber(c, "groq")->caps().max_upload_bytes, 1'500'000);
  EXPECT_EQ(make_transcriber(c, "groq")->caps().model, "whisper-large-v3-turbo");
}

TEST(EngineFactory, BuiltEngineTalksToTheConfiguredUrlWithRetries) {
  testing::FakeOpenAi fake;
  fake.start();
  fake.script_next(testing::FakeReply::error(503, "0"));
  config::Config c;
  c.transcriber = "groq";
  c.groq_api_key = "test-openai-key";
  c.groq_api_url = fake.url();
  auto groq = make_transcriber(c, "auto");
  auto t = groq->transcribe(testing::voice_note_audio(), {});
  EXPECT_EQ(t.engine, "groq");
  EXPECT_EQ(fake.requests().size(), 2u);  // the 503 was retried (Retry-After: 0)
}

TEST(LanguageCodes, MapsWhisperNamesAndCodes) {
  EXPECT_EQ(to_iso639_1("english"), "en");
  EXPECT_EQ(to_iso639_1("Indonesian"), "id");
  EXPECT_EQ(to_iso639_1("javanese"), "jv");
  EXPECT_EQ(to_iso639_1("en"), "en");
  EXPECT_EQ(to_iso639_1("pt-BR"), "pt");
  EXPECT_EQ(to_iso639_1(""), "");
  EXPECT_EQ(to_iso639_1("klingonese"), "");
}

}  // namespace
}  // namespace tgscribe::engine
