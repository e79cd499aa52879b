// The cache breaker on a cache whose store fails on demand, with a manual clock.
#include "store/cache_breaker.h"

#include <gtest/gtest.h>

#include <atomic>

#include "common/error.h"
#include "common/testing/manual_clock.h"
#include "store/memory/memory_transcript_cache.h"

namespace tgscribe::store {
namespace {

using namespace std::chrono_literals;

// A memory cache whose every call fails while `down`, counting the calls that reached it.
class FlakyCache : public TranscriptCache {
 public:
  explicit FlakyCache(Clock& clock) : inner_(100, 3600, clock) {}
  std::atomic<bool> down{false};
  std::atomic<int> calls{0};

  std::optional<std::string> sha_for_file(const std::string& id) override {
    reach();
    return inner_.sha_for_file(id);
  }
  void put_file(const std::string& id, const std::string& sha, int64_t user) override {
    reach();
    inner_.put_file(id, sha, user);
  }
  std::optional<transcript::Transcript> get(const std::string& key) override {
    reach();
    return inner_.get(key);
  }
  void put(const std::string& key, const transcript::Transcript& t, int64_t user) override {
    reach();
    inner_.put(key, t, user);
  }
  void forget_user(int64_t user) override {
    reach();
    inner_.forget_user(user);
  }
  void purge_expired() override { reach(); }
  CacheStats stats() override { return inner_.stats(); }
  bool healthy() override {
    ++calls;
    return !down;
  }

 private:
  void reach() {
    ++calls;
    if (down) throw Error(ErrorKind::kNetwork, "cannot connect to Redis");
  }
  MemoryTranscriptCache inner_;
};

class CacheBreakerTest : public ::testing::Test {
 protected:
  CacheBreakerTest() {
    auto f = std::make_unique<FlakyCache>(clock_);
    flaky_ = f.get();
    breaker_ = std::make_unique<CacheBreaker>(std::move(f), 30s, clock_);
  }
  tgscribe::testing::ManualClock clock_;
  FlakyCache* flaky_;
  std::unique_ptr<CacheBreaker> breaker_;
};

TEST_F(CacheBreakerTest, AFailingStoreIsBypassedAtOnceUntilItAnswersAgain) {
  breaker_->put_file("f1", "sha1", 1);
  EXPECT_EQ(breaker_->sha_for_file("f1"), "sha1");
  flaky_->down = true;
  EXPECT_THROW(breaker_->get("k"), Error);  // reaches the store, which fails
  EXPECT_TRUE(breaker_->open());
  int reached = flaky_->calls;
  // Open: every call fails at once, without waiting on the store.
  for (int i = 0; i < 10; ++i) {
    EXPECT_THROW(breaker_->sha_for_file("f1"), Error);
    EXPECT_THROW(breaker_->put("k", transcript::Transcript{}, 1), Error);
  }
  EXPECT_FALSE(breaker_->healthy());
  EXPECT_EQ(flaky_->calls, reached);
  // After the cooldown one call finds out; while the store is still down it opens again.
  clock_.advance(31s);
  EXPECT_THROW(breaker_->get("k"), Error);
  EXPECT_EQ(flaky_->calls, reached + 1);
  EXPECT_THROW(breaker_->get("k"), Error);
  EXPECT_EQ(flaky_->calls, reached + 1);
  // The store is back: the background readiness probe closes the breaker after the cooldown.
  flaky_->down = false;
  clock_.advance(31s);
  EXPECT_TRUE(breaker_->healthy());
  EXPECT_FALSE(breaker_->open());
  EXPECT_EQ(breaker_->sha_for_file("f1"), "sha1");
}

TEST_F(CacheBreakerTest, AnUnhealthyStoreOpensItToo) {
  flaky_->down = true;
  EXPECT_FALSE(breaker_->healthy());
  EXPECT_TRUE(breaker_->open());
  EXPECT_THROW(breaker_->sha_for_file("x"), Error);
}

}  // namespace
}  // namespace tgscribe::store
