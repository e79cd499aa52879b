// Diarized transcripts in the cache: their own key for engines that can diarize, plain keys
// unchanged, a plain request answered by a diarized entry but never the other way round.
#include <gtest/gtest.h>

#include "engine/engine_factory.h"
#include "pipeline/result_cache.h"
#include "store/memory/memory_transcript_cache.h"

namespace tgscribe::pipeline {
namespace result_cache_speakers_test {

const std::string kSha = "0123abcd";

transcript::Transcript by(const std::string& engine, const std::string& text,
                          std::optional<int> speaker = {}) {
  transcript::Transcript t;
  t.engine = engine;
  t.language = "en";
  transcript::Segment s;
  s.start = 0;
  s.end = 1;
  s.text = text;
  s.speaker = speaker;
  t.segments.push_back(s);
  return t;
}

config::Config chain(const std::string& primary, std::vector<std::string> fallback = {}) {
  config::Config c;
  c.transcriber = primary;
  c.groq_api_key = c.openai_api_key = c.deepgram_api_key = "k";
  c.transcriber_fallback = std::move(fallback);
  return c;
}

TEST(ResultCacheSpeakers, OnlyDeepgramCanDiarizeAndTheFactoryAgrees) {
  config::Config c = chain("groq", {"openai", "deepgram", "sphinx"});
  for (const auto& e : engine::make_engine_chain(c)) {
    EXPECT_EQ(can_diarize({e->caps().name, e->caps().model}), e->caps().name == "deepgram");
  }
  EXPECT_TRUE(can_diarize({"deepgram", "nova-3"}));
  EXPECT_FALSE(can_diarize({"groq", "whisper-large-v3-turbo"}));
}

TEST(ResultCacheSpeakers, DiarizedKeysAreApartAndPlainKeysUnchanged) {
  ResultCache dg(chain("deepgram"), nullptr);
  EXPECT_EQ(dg.primary_key(kSha, "", false, false), "0123abcd|deepgram|nova-3|auto|transcribe");
  EXPECT_EQ(dg.primary_key(kSha, "", false, true),
            "0123abcd|deepgram|nova-3|auto|transcribe|diarize");
  // An engine that cannot diarize makes the same transcript either way: one key.
  ResultCache groq(chain("groq"), nullptr);
  EXPECT_EQ(groq.primary_key(kSha, "en", false, true), groq.primary_key(kSha, "en", false, false));
}

TEST(ResultCacheSpeakers, PlainTakesDiarizedButDiarizedNeverTakesPlain) {
  store::MemoryTranscriptCache store(100, 3600);
  ResultCache cache(chain("deepgram"), &store);
  EngineId deepgram{"deepgram", "nova-3"};

  cache.store(kSha, by("deepgram", "plain"), deepgram, "", false, 1);
  EXPECT_FALSE(cache.lookup_content(kSha, "", false, /*diarize=*/true).has_value());
  ASSERT_TRUE(cache.lookup_content(kSha, "", false, false).has_value());

  const std::string other = "ffff0000";
  cache.store(other, by("deepgram", "with speakers", 1), deepgram, "", false, 1, true);
  auto diarized = cache.lookup_content(other, "", false, true);
  ASSERT_TRUE(diarized.has_value());
  EXPECT_EQ(diarized->segments.at(0).speaker, 1);
  // A chat without /speakers is answered from it (the bot hides the labels): no new request.
  auto plain = cache.lookup_content(other, "", false, false);
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->segments.at(0).text, "with speakers");

  // The file key leads to the same answers.
  cache.remember_file("uniq", other, 1);
  EXPECT_TRUE(cache.lookup_file("uniq", "", false, true).has_value());
  cache.remember_file("uniq2", kSha, 1);
  EXPECT_FALSE(cache.lookup_file("uniq2", "", false, true).has_value());
}

TEST(ResultCacheSpeakers, ANonDiarizingEngineAnswersEitherRequest) {
  store::MemoryTranscriptCache store(100, 3600);
  ResultCache cache(chain("groq"), &store);
  cache.store(kSha, by("groq", "text"), {"groq", "whisper-large-v3-turbo"}, "", false, 1, true);
  EXPECT_TRUE(cache.lookup_content(kSha, "", false, false).has_value());
  EXPECT_TRUE(cache.lookup_content(kSha, "", false, true).has_value());
}

}  // namespace result_cache_speakers_test
}  // namespace tgscribe::pipeline
