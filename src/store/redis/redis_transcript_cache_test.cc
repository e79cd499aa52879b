// Redis-specific cache behaviour; the shared contract is covered by transcript_cache_test.cc.
#include "store/redis/redis_transcript_cache.h"

#include <gtest/gtest.h>

#include "common/testing/manual_clock.h"
#include "store/testing/redis_server.h"

namespace tgscribe::store {
namespace {

using testing::RedisServer;

transcript::Transcript sample(const std::string& text) {
  transcript::Transcript t;
  t.language = "en";
  t.duration = 2;
  t.engine = "sphinx";
  t.model = "en-us";
  t.segments.push_back({0, 2, text, {}, {}, {}, {}});
  return t;
}

class RedisTranscriptCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = RedisServer::unavailable_reason()) GTEST_SKIP() << *why;
    server_ = std::make_unique<RedisServer>();
  }
  std::unique_ptr<RedisTranscriptCache> instance(int64_t ttl_s = 3600) {
    return std::make_unique<RedisTranscriptCache>(RedisConnection::open(server_->url()), ttl_s, 0,
                                                  clock_);
  }
  tgscribe::testing::ManualClock clock_;
  std::unique_ptr<RedisServer> server_;
};

TEST_F(RedisTranscriptCacheTest, InstancesShareEntriesAndStats) {
  auto a = instance();
  auto b = instance();
  a->put_file("AgADxyz", "sha-1", 5);
  a->put("sha-1|sphinx|en-us|auto|transcribe", sample("shared words"), 5);
  EXPECT_EQ(b->sha_for_file("AgADxyz"), "sha-1");
  auto got = b->get("sha-1|sphinx|en-us|auto|transcribe");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->text(), "shared words");
  EXPECT_FALSE(b->get("missing").has_value());
  // /stats on instance A counts what instance B saw.
  CacheStats s = a->stats();
  EXPECT_EQ(s.file_hits, 1);
  EXPECT_EQ(s.content_hits, 1);
  EXPECT_EQ(s.content_misses, 1);
  EXPECT_EQ(s.entries, 1);
  // forget_user on one instance is seen by the other.
  b->forget_user(5);
  EXPECT_FALSE(a->sha_for_file("AgADxyz").has_value());
  EXPECT_FALSE(a->get("sha-1|sphinx|en-us|auto|transcribe").has_value());
}

TEST_F(RedisTranscriptCacheTest, EntriesCarryARedisExpiry) {
  auto c = instance(/*ttl_s=*/600);
  c->put_file("f1", "sha", 1);
  c->put("k1", sample("words"), 1);
  auto redis = RedisConnection::open(server_->url());
  for (const char* key : {"tgscribe:cache:f:f1", "tgscribe:cache:t:k1", "tgscribe:cache:u:1"}) {
    long long pttl = redis->command({"PTTL", key}).as_integer();
    EXPECT_GT(pttl, 0) << key << " would never be freed";
    EXPECT_LE(pttl, 600'000) << key;
  }
}

TEST_F(RedisTranscriptCacheTest, SurvivesARedisRestart) {
  auto c = instance();
  c->put_file("f1", "sha", 1);
  c->put("k1", sample("persisted"), 1);
  server_->restart();
  EXPECT_EQ(c->sha_for_file("f1"), "sha");
  ASSERT_TRUE(c->get("k1"));
  EXPECT_EQ(c->get("k1")->text(), "persisted");
}

TEST_F(RedisTranscriptCacheTest, DamagedEntryIsAMiss) {
  auto c = instance();
  c->put("k1", sample("fine"), 1);
  RedisConnection::open(server_->url())
      ->command({"HSET", "tgscribe:cache:t:k1", "json", "{not json"});
  EXPECT_FALSE(c->get("k1").has_value());
}

}  // namespace
}  // namespace tgscribe::store
