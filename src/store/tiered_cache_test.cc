#include "store/tiered_cache.h"

#include <gtest/gtest.h>

#include "common/metrics.h"
#include "common/testing/manual_clock.h"

namespace tgscribe::store {
namespace {

using namespace std::chrono_literals;

transcript::Transcript transcript_of(const std::string& text) {
  transcript::Transcript t;
  t.engine = "sphinx";
  t.segments.push_back({0, 1, text});
  return t;
}

double requests(const std::string& key, const std::string& result) {
  return metrics::Registry::global().counter_value("cache_requests_total",
                                                   {{"key", key}, {"result", result}});
}

// A memory cache stands in for the back tier so the test can look inside both tiers.
class TieredCacheTest : public ::testing::Test {
 protected:
  TieredCacheTest() {
    auto front = std::make_unique<MemoryTranscriptCache>(10, 3600, clock_);
    auto back = std::make_unique<MemoryTranscriptCache>(100, 3600, clock_);
    front_ = front.get();
    back_ = back.get();
    tiered_ = std::make_unique<TieredTranscriptCache>(std::move(front), std::move(back),
                                                      /*refill_ttl_s=*/60);
  }
  tgscribe::testing::ManualClock clock_;
  MemoryTranscriptCache* front_;
  MemoryTranscriptCache* back_;
  std::unique_ptr<TieredTranscriptCache> tiered_;
};

TEST_F(TieredCacheTest, WritesGoToBothTiers) {
  tiered_->put("k", transcript_of("both"), 1);
  tiered_->put_file("f", "sha", 1);
  EXPECT_TRUE(front_->get("k").has_value());
  EXPECT_TRUE(back_->get("k").has_value());
  EXPECT_EQ(front_->sha_for_file("f"), "sha");
  EXPECT_EQ(back_->sha_for_file("f"), "sha");
}

TEST_F(TieredCacheTest, BackHitRefillsTheFront) {
  back_->put("k", transcript_of("from the back"), 1);
  back_->put_file("f", "sha", 1);
  EXPECT_EQ(tiered_->get("k")->text(), "from the back");
  EXPECT_EQ(tiered_->sha_for_file("f"), "sha");
  EXPECT_EQ(back_->stats().content_hits, 1);
  EXPECT_EQ(tiered_->get("k")->text(), "from the back");  // answered by the front now
  EXPECT_EQ(tiered_->sha_for_file("f"), "sha");
  EXPECT_EQ(back_->stats().content_hits, 1);
  EXPECT_EQ(back_->stats().file_hits, 1);
  CacheStats s = tiered_->stats();
  EXPECT_EQ(s.content_hits, 2);  // as callers saw it
  EXPECT_EQ(s.content_misses, 0);
  EXPECT_EQ(s.file_hits, 2);
  EXPECT_EQ(s.entries, 1);
}

TEST_F(TieredCacheTest, RefilledEntriesDoNotOutliveTheRefillTtl) {
  back_->put("k", transcript_of("short-lived copy"), 7);
  ASSERT_TRUE(tiered_->get("k").has_value());
  back_->forget_user(7);  // e.g. another instance handled /forget
  EXPECT_TRUE(tiered_->get("k").has_value());
  clock_.advance(61s);
  EXPECT_FALSE(tiered_->get("k").has_value());
}

TEST_F(TieredCacheTest, ForgetUserClearsRefilledEntriesToo) {
  back_->put("k", transcript_of("refilled, owner unknown to the front"), 7);
  ASSERT_TRUE(tiered_->get("k").has_value());
  tiered_->put("k2", transcript_of("written through"), 7);
  tiered_->forget_user(7);
  EXPECT_FALSE(tiered_->get("k").has_value());
  EXPECT_FALSE(tiered_->get("k2").has_value());
}

TEST_F(TieredCacheTest, CountsRequestsPerKeyKindInMetrics) {
  double file_hit = requests("file", "hit"), file_miss = requests("file", "miss");
  double content_hit = requests("content", "hit"), content_miss = requests("content", "miss");
  tiered_->sha_for_file("nope");
  tiered_->put_file("f", "sha", 1);
  tiered_->sha_for_file("f");
  tiered_->sha_for_file("f");
  tiered_->get("nope");
  tiered_->put("k", transcript_of("x"), 1);
  tiered_->get("k");
  EXPECT_EQ(requests("file", "hit") - file_hit, 2);
  EXPECT_EQ(requests("file", "miss") - file_miss, 1);
  EXPECT_EQ(requests("content", "hit") - content_hit, 1);
  EXPECT_EQ(requests("content", "miss") - content_miss, 1);
  EXPECT_NE(metrics::Registry::global().render().find(
                "tgscribe_cache_requests_total{key=\"file\",result=\"hit\"}"),
            std::string::npos);
}

TEST(TieredCacheMemoryOnly, WorksWithoutABackTier) {
  tgscribe::testing::ManualClock clock;
  TieredTranscriptCache cache(std::make_unique<MemoryTranscriptCache>(2, 60, clock), nullptr);
  cache.put("a", transcript_of("a"), 1);
  cache.put("b", transcript_of("b"), 2);
  cache.put("c", transcript_of("c"), 2);  // bound 2: "a" goes
  EXPECT_FALSE(cache.get("a").has_value());
  EXPECT_TRUE(cache.get("b").has_value());
  EXPECT_EQ(cache.stats().entries, 2);
  cache.forget_user(2);
  EXPECT_EQ(cache.stats().entries, 0);
  EXPECT_TRUE(cache.healthy());
}

}  // namespace
}  // namespace tgscribe::store
