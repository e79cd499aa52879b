#include "pipeline/result_cache.h"

#include <gtest/gtest.h>

#include "common/metrics.h"
#include "engine/engine_factory.h"
#include "pipeline/testing/failing_transcript_cache.h"
#include "store/memory/memory_transcript_cache.h"

namespace tgscribe::pipeline {
namespace {

const std::string kSha = "0123abcd";

transcript::Transcript transcript_by(const std::string& engine, const std::string& text) {
  transcript::Transcript t;
  t.engine = engine;
  t.language = "en";
  t.segments.push_back({0, 1, text});
  return t;
}

config::Config groq_then_deepgram() {
  config::Config c;
  c.transcriber = "groq";
  c.groq_api_key = "k";
  c.deepgram_api_key = "k";
  c.transcriber_fallback = {"deepgram"};
  return c;
}

TEST(ResultCache, PrimaryKeyFormatIsUnchanged) {
  // Entries written before the pipeline owned the cache must still be found.
  config::Config c = groq_then_deepgram();
  ResultCache cache(c, nullptr);
  EXPECT_EQ(cache.primary_key(kSha, "", false),
            "0123abcd|groq|whisper-large-v3-turbo|auto|transcribe");
  EXPECT_EQ(cache.primary_key(kSha, "auto", true),
            "0123abcd|groq|whisper-large-v3-turbo|auto|translate");
  EXPECT_EQ(cache.primary_key(kSha, " DE ", false),
            store::make_content_key(kSha, "groq", "whisper-large-v3-turbo", "de", false));
}

TEST(ResultCache, ConfiguredEnginesAreTheEnginesTheFactoryBuilds) {
  config::Config c;
  c.transcriber = "groq";
  c.groq_api_key = c.openai_api_key = c.deepgram_api_key = "k";
  c.groq_model = "whisper-large-v3";
  c.transcriber_fallback = {"openai", "Deepgram", "auto", "sphinx"};
  std::vector<EngineId> built;
  for (const auto& e : engine::make_engine_chain(c)) {
    built.push_back({e->caps().name, e->caps().model});
  }
  EXPECT_EQ(configured_engines(c), built);
  ASSERT_EQ(built.size(), 4u);  // "auto" is groq again
  EXPECT_EQ(built[3], (EngineId{"sphinx", "en-us"}));
}

TEST(ResultCache, AutoResolvesLikeTheFactory) {
  config::Config c;
  c.deepgram_api_key = "k";
  auto engines = configured_engines(c);
  ASSERT_EQ(engines.size(), 1u);
  EXPECT_EQ(engines[0], (EngineId{"deepgram", "nova-3"}));
  EXPECT_EQ(configured_engines(config::Config{}), (std::vector<EngineId>{{"sphinx", "en-us"}}));
}

TEST(ResultCache, FallbacksTranscriptIsStoredUnderItsOwnKey) {
  store::MemoryTranscriptCache store(10, 3600);
  ResultCache cache(groq_then_deepgram(), &store);
  cache.store(kSha, transcript_by("deepgram", "from the fallback"), {"deepgram", "nova-3"}, "",
              false, 7);
  EXPECT_FALSE(store.get(cache.primary_key(kSha, "", false)));
  EXPECT_TRUE(store.get("0123abcd|deepgram|nova-3|auto|transcribe"));
  auto hit = cache.lookup_content(kSha, "auto");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->engine, "deepgram");
  EXPECT_FALSE(cache.lookup_content(kSha, "", /*translate=*/true));
  EXPECT_FALSE(cache.lookup_content(kSha, "fr"));
}

TEST(ResultCache, ThePrimaryEnginesTranscriptWins) {
  store::MemoryTranscriptCache store(10, 3600);
  ResultCache cache(groq_then_deepgram(), &store);
  cache.store(kSha, transcript_by("deepgram", "fallback"), {"deepgram", "nova-3"}, "", false, 7);
  cache.store(kSha, transcript_by("groq", "primary"), {"groq", "whisper-large-v3-turbo"}, "", false,
              7);
  EXPECT_EQ(cache.lookup_content(kSha, "")->engine, "groq");
}

TEST(ResultCache, FileKeyHitNeedsNoEngine) {
  // What a worker stored...
  store::MemoryTranscriptCache store(10, 3600);
  config::Config worker = groq_then_deepgram();
  ResultCache worker_cache(worker, &store);
  worker_cache.remember_file("file-1", kSha, 7);
  worker_cache.store(kSha, transcript_by("deepgram", "hello"), {"deepgram", "nova-3"}, "", false,
                     7);
  // ...an ingest-only instance (same configuration, no engine built) finds by file id alone.
  ResultCache ingest(worker, &store);
  auto hit = ingest.lookup_file("file-1", "");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->text(), "hello");
  EXPECT_FALSE(ingest.lookup_file("", ""));
  EXPECT_FALSE(ingest.lookup_file("file-2", ""));
  EXPECT_FALSE(ResultCache(worker, nullptr).lookup_file("file-1", ""));
}

TEST(ResultCache, AnOutageMissesAndIsCounted) {
  testing::FailingTranscriptCache down;
  ResultCache cache(groq_then_deepgram(), &down);
  auto& m = metrics::Registry::global();
  auto count = [&](const char* op) { return m.counter_value("cache_errors_total", {{"op", op}}); };
  const double files = count("sha_for_file"), gets = count("get"), puts = count("put"),
               file_puts = count("put_file");

  EXPECT_FALSE(cache.lookup_file("file-1", ""));
  EXPECT_FALSE(cache.lookup_content(kSha, ""));
  EXPECT_NO_THROW(cache.remember_file("file-1", kSha, 7));
  EXPECT_NO_THROW(cache.store(kSha, transcript_by("groq", "x"), {"groq", "whisper-large-v3-turbo"},
                              "", false, 7));

  EXPECT_EQ(count("sha_for_file"), files + 1);
  EXPECT_EQ(count("get"), gets + 1);  // one failure is enough: the chain's other keys are skipped
  EXPECT_EQ(count("put"), puts + 1);
  EXPECT_EQ(count("put_file"), file_puts + 1);
  EXPECT_EQ(down.calls.load(), 4);
  EXPECT_NE(m.render().find("# HELP tgscribe_cache_errors_total"), std::string::npos);
}

}  // namespace
}  // namespace tgscribe::pipeline
