// Typed suite: every TranscriptCache implementation must pass it. To add one, write a factory
// in testing/store_factories.h and add it to CacheImpls.
#include "store/transcript_cache.h"

#include <gtest/gtest.h>

#include <thread>

#include "store/testing/store_factories.h"

namespace tgscribe::store {
namespace {

using namespace std::chrono_literals;
using testing::CacheParams;
using testing::numbered;
using testing::StoreTestEnv;

transcript::Transcript sample(const std::string& text, const std::string& lang = "en") {
  transcript::Transcript t;
  t.language = lang;
  t.duration = 3.5;
  t.engine = "sphinx";
  t.model = "en-us";
  transcript::Segment s;
  s.start = 0.25;
  s.end = 3.0;
  s.text = text;
  s.words.push_back({0.25, 1.0, text.substr(0, text.find(' ')), 0.9});
  t.segments.push_back(s);
  return t;
}

template <typename Factory>
class TranscriptCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cache_ = make({});
    if (!cache_) GTEST_SKIP() << skip_reason_;
  }
  std::unique_ptr<TranscriptCache> make(const CacheParams& params) {
    return Factory::make(env_, params, &skip_reason_);
  }

  StoreTestEnv env_;
  std::string skip_reason_;
  std::unique_ptr<TranscriptCache> cache_;
};

using CacheImpls = ::testing::Types<testing::MemoryCacheFactory, testing::SqliteCacheFactory,
                                    testing::TieredCacheFactory, testing::RedisCacheFactory>;
TYPED_TEST_SUITE(TranscriptCacheTest, CacheImpls, testing::FactoryName);

TYPED_TEST(TranscriptCacheTest, FileKeyMapsToSha) {
  auto& c = *this->cache_;
  EXPECT_FALSE(c.sha_for_file("AgADfile1").has_value());
  c.put_file("AgADfile1", "aaaa", 7);
  EXPECT_EQ(c.sha_for_file("AgADfile1"), "aaaa");
  EXPECT_FALSE(c.sha_for_file("AgADfile2").has_value());
  CacheStats s = c.stats();
  EXPECT_EQ(s.file_hits, 1);
  EXPECT_EQ(s.file_misses, 2);
  EXPECT_EQ(s.content_hits + s.content_misses, 0);
}

TYPED_TEST(TranscriptCacheTest, TranscriptRoundTrips) {
  auto& c = *this->cache_;
  const std::string key = make_content_key("abc", "sphinx", "en-us", "en", false);
  EXPECT_FALSE(c.get(key).has_value());
  c.put(key, sample("hello world"), 7);
  auto got = c.get(key);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->language, "en");
  EXPECT_EQ(got->engine, "sphinx");
  EXPECT_EQ(got->model, "en-us");
  EXPECT_DOUBLE_EQ(got->duration, 3.5);
  ASSERT_EQ(got->segments.size(), 1u);
  EXPECT_EQ(got->segments[0].text, "hello world");
  EXPECT_DOUBLE_EQ(got->segments[0].start, 0.25);
  ASSERT_EQ(got->segments[0].words.size(), 1u);
  EXPECT_EQ(got->segments[0].words[0].text, "hello");
  CacheStats s = c.stats();
  EXPECT_EQ(s.content_hits, 1);
  EXPECT_EQ(s.content_misses, 1);
  EXPECT_EQ(s.entries, 1);
}

TYPED_TEST(TranscriptCacheTest, PutReplacesEntry) {
  auto& c = *this->cache_;
  c.put("k", sample("first version"), 1);
  c.put("k", sample("second version"), 1);
  EXPECT_EQ(c.get("k")->text(), "second version");
  EXPECT_EQ(c.stats().entries, 1);
}

TYPED_TEST(TranscriptCacheTest, EntriesExpireAfterTtl) {
  this->cache_ = this->make({.max_entries = 100, .ttl_s = 60});
  auto& c = *this->cache_;
  c.put_file("f", "sha", 1);
  c.put("k", sample("expiring words"), 1);
  this->env_.clock.advance(59s);
  EXPECT_TRUE(c.sha_for_file("f").has_value());
  EXPECT_TRUE(c.get("k").has_value());
  this->env_.clock.advance(2s);
  EXPECT_FALSE(c.sha_for_file("f").has_value());
  EXPECT_FALSE(c.get("k").has_value());
}

TYPED_TEST(TranscriptCacheTest, PurgeExpiredKeepsLiveEntries) {
  this->cache_ = this->make({.max_entries = 100, .ttl_s = 60});
  auto& c = *this->cache_;
  c.put("old", sample("old words"), 1);
  this->env_.clock.advance(40s);
  c.put("new", sample("new words"), 1);
  this->env_.clock.advance(30s);  // "old" is 70 s old, "new" 30 s
  c.purge_expired();
  EXPECT_EQ(c.stats().entries, 1);
  EXPECT_FALSE(c.get("old").has_value());
  EXPECT_TRUE(c.get("new").has_value());
}

TYPED_TEST(TranscriptCacheTest, LeastRecentlyUsedEvictedBeyondBound) {
  if (!TypeParam::kBounded) GTEST_SKIP() << "implementation is not bounded by entry count";
  this->cache_ = this->make({.max_entries = 3, .ttl_s = 3600});
  auto& c = *this->cache_;
  c.put("a", sample("alpha"), 1);
  c.put("b", sample("bravo"), 1);
  c.put("c", sample("charlie"), 1);
  ASSERT_TRUE(c.get("a").has_value());  // a is now more recent than b
  c.put("d", sample("delta"), 1);
  EXPECT_FALSE(c.get("b").has_value());
  EXPECT_TRUE(c.get("a").has_value());
  EXPECT_TRUE(c.get("c").has_value());
  EXPECT_TRUE(c.get("d").has_value());
  EXPECT_EQ(c.stats().entries, 3);

  for (int i = 0; i < 5; ++i) c.put_file(numbered("file", i), "sha", 1);
  EXPECT_FALSE(c.sha_for_file("file0").has_value());
  EXPECT_FALSE(c.sha_for_file("file1").has_value());
  EXPECT_TRUE(c.sha_for_file("file4").has_value());
}

TYPED_TEST(TranscriptCacheTest, ForgetUserRemovesOnlyTheirEntries) {
  auto& c = *this->cache_;
  c.put_file("f1", "sha1", 1);
  c.put("k1", sample("first user"), 1);
  c.put_file("f2", "sha2", 2);
  c.put("k2", sample("second user"), 2);
  c.forget_user(1);
  EXPECT_FALSE(c.sha_for_file("f1").has_value());
  EXPECT_FALSE(c.get("k1").has_value());
  EXPECT_EQ(c.sha_for_file("f2"), "sha2");
  EXPECT_TRUE(c.get("k2").has_value());
  EXPECT_EQ(c.stats().entries, 1);
}

TYPED_TEST(TranscriptCacheTest, ForgetUserRemovesEntriesTheyShared) {
  auto& c = *this->cache_;
  c.put("shared", sample("same content"), 1);
  c.put("shared", sample("same content"), 2);  // second user sent the same media
  c.forget_user(2);
  EXPECT_FALSE(c.get("shared").has_value());
}

TYPED_TEST(TranscriptCacheTest, SurvivesReopen) {
  if (!TypeParam::kPersistent) GTEST_SKIP() << "implementation is not persistent";
  this->cache_->put_file("f", "sha", 1);
  this->cache_->put("k", sample("kept words"), 1);
  this->cache_.reset();
  auto reopened = this->make({});
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->sha_for_file("f"), "sha");
  EXPECT_EQ(reopened->get("k")->text(), "kept words");
}

TYPED_TEST(TranscriptCacheTest, ConcurrentWritersAndReaders) {
  auto& c = *this->cache_;
  constexpr int kThreads = 4, kPerThread = 20;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&c, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string key = numbered("t", t, numbered("-", i));
        c.put(key, sample("words " + key), t);
        c.put_file("f" + key, "sha" + key, t);
        c.get(key);
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      std::string key = numbered("t", t, numbered("-", i));
      auto got = c.get(key);
      ASSERT_TRUE(got.has_value()) << key;
      EXPECT_EQ(got->text(), "words " + key);
      EXPECT_EQ(c.sha_for_file("f" + key), "sha" + key);
    }
  }
}

TEST(ContentKey, SeparatesEngineModelLanguageAndTask) {
  const std::string base = make_content_key("abc", "groq", "whisper", "en", false);
  EXPECT_EQ(base, "abc|groq|whisper|en|transcribe");
  EXPECT_EQ(make_content_key("abc", "groq", "whisper", "", false),
            "abc|groq|whisper|auto|transcribe");
  EXPECT_NE(base, make_content_key("abc", "groq", "whisper", "en", true));
  EXPECT_NE(base, make_content_key("abc", "openai", "whisper", "en", false));
  EXPECT_NE(base, make_content_key("abc", "groq", "whisper-2", "en", false));
  EXPECT_NE(base, make_content_key("abd", "groq", "whisper", "en", false));
}

TEST(CacheCounters, CountsHitsAndMissesPerKeyFromManyThreads) {
  CacheCounters counters;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&counters] {
      for (int i = 0; i < 1000; ++i) {
        counters.file(i % 4 == 0);     // 250 hits, 750 misses per thread
        counters.content(i % 2 == 0);  // 500 and 500
      }
    });
  }
  for (auto& th : threads) th.join();
  CacheStats s = counters.snapshot();
  EXPECT_EQ(s.file_hits, 1000);
  EXPECT_EQ(s.file_misses, 3000);
  EXPECT_EQ(s.content_hits, 2000);
  EXPECT_EQ(s.content_misses, 2000);
  EXPECT_EQ(s.entries, 0);  // the backend's to fill in
}

}  // namespace
}  // namespace tgscribe::store
