// Typed suite: every RateBudget implementation (common/rate_budget.h) must pass it: the
// memory one (one process) and the Redis one (all instances). Time is passed in, so the
// windows are driven by the test, not by sleeping.
#include "common/rate_budget.h"

#include <gtest/gtest.h>

#include "store/redis/redis_rate_budget.h"
#include "store/testing/redis_server.h"
#include "store/testing/store_factories.h"

namespace tgscribe::store {
namespace {

using std::chrono::milliseconds;
constexpr int64_t kT0 = 1'750'000'000'000;

struct MemoryBudgetFactory {
  static constexpr const char* kName = "memory";
  static std::shared_ptr<RateBudget> make(testing::StoreTestEnv&, std::string*) {
    return std::make_shared<MemoryRateBudget>();
  }
};
struct RedisBudgetFactory {
  static constexpr const char* kName = "redis";
  static std::shared_ptr<RateBudget> make(testing::StoreTestEnv& env, std::string* skip) {
    auto url = testing::shared_redis_url(skip);
    if (!url) return nullptr;
    return std::make_shared<RedisRateBudget>(RedisConnection::open(*url), env.ns + ":");
  }
};

template <typename Factory>
class RateBudgetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    b_ = Factory::make(env_, &skip_reason_);
    if (!b_) GTEST_SKIP() << skip_reason_;
  }
  // 3 requests per minute, 60 audio seconds (in ms) per hour: small numbers, real windows.
  RateAsk ask(const std::string& ticket, int64_t order, int64_t audio_ms,
              const std::string& key = "groq") {
    return RateAsk{
        key,
        ticket,
        order,
        {RateWindow{3, milliseconds(60'000)}, RateWindow{60'000, milliseconds(3'600'000)}},
        {1, audio_ms}};
  }
  testing::StoreTestEnv env_;
  std::string skip_reason_;
  std::shared_ptr<RateBudget> b_;
};

using BudgetImpls = ::testing::Types<MemoryBudgetFactory, RedisBudgetFactory>;
TYPED_TEST_SUITE(RateBudgetTest, BudgetImpls, testing::FactoryName);

TYPED_TEST(RateBudgetTest, RequestsPerMinuteSlideWithTheWindow) {
  auto& b = *this->b_;
  EXPECT_TRUE(b.try_acquire(this->ask("a", kT0, 1000), kT0).granted);
  EXPECT_TRUE(b.try_acquire(this->ask("b", kT0, 1000), kT0 + 10'000).granted);
  EXPECT_TRUE(b.try_acquire(this->ask("c", kT0, 1000), kT0 + 20'000).granted);
  // The 4th fits when the 1st leaves the minute: at kT0 + 60 s.
  RateGrant g = b.try_acquire(this->ask("d", kT0, 1000), kT0 + 30'000);
  EXPECT_FALSE(g.granted);
  EXPECT_EQ(g.wait, milliseconds(30'000));
  EXPECT_FALSE(b.try_acquire(this->ask("d", kT0, 1000), kT0 + 59'999).granted);
  EXPECT_TRUE(b.try_acquire(this->ask("d", kT0, 1000), kT0 + 60'000).granted);
  // ... and the 5th when the 2nd leaves.
  EXPECT_EQ(b.try_acquire(this->ask("e", kT0, 1000), kT0 + 60'000).wait, milliseconds(10'000));
}

TYPED_TEST(RateBudgetTest, AudioPerHourCountsBilledSeconds) {
  auto& b = *this->b_;
  EXPECT_TRUE(b.try_acquire(this->ask("a", kT0, 40'000), kT0).granted);
  // 40 s of the 60 s used: 30 s more must wait for the first to leave the hour.
  RateGrant g = b.try_acquire(this->ask("b", kT0, 30'000), kT0 + 1'000);
  EXPECT_FALSE(g.granted);
  EXPECT_EQ(g.wait, milliseconds(3'600'000 - 1'000));
  b.leave("groq", "b");
  // 20 s fit at once.
  EXPECT_TRUE(b.try_acquire(this->ask("c", kT0, 20'000), kT0 + 2'000).granted);
}

TYPED_TEST(RateBudgetTest, FirstComeFirstServedAcrossJobs) {
  auto& b = *this->b_;
  EXPECT_TRUE(b.try_acquire(this->ask("a", 1, 100), kT0).granted);
  EXPECT_TRUE(b.try_acquire(this->ask("b", 1, 100), kT0 + 4'000).granted);
  EXPECT_TRUE(b.try_acquire(this->ask("c", 1, 100), kT0 + 8'000).granted);
  // Two waiters: "early" is ahead in line (lower order: its job came first), "late" asks first.
  RateGrant late = b.try_acquire(this->ask("late", 200, 100), kT0 + 51'000);
  EXPECT_FALSE(late.granted);
  EXPECT_EQ(late.wait, milliseconds(9'000));  // alone in line: the slot "a" frees at +60 s
  RateGrant early = b.try_acquire(this->ask("early", 100, 100), kT0 + 51'000);
  EXPECT_FALSE(early.granted);
  EXPECT_EQ(early.wait, milliseconds(9'000));  // ahead of "late": that slot is its
  late = b.try_acquire(this->ask("late", 200, 100), kT0 + 51'000);
  EXPECT_EQ(late.wait, milliseconds(13'000));  // behind it: the slot "b" frees at +64 s
  // At +60 s one slot is free: "late" asks first and still does not get it.
  EXPECT_FALSE(b.try_acquire(this->ask("late", 200, 100), kT0 + 60'000).granted);
  EXPECT_TRUE(b.try_acquire(this->ask("early", 100, 100), kT0 + 60'000).granted);
  EXPECT_TRUE(b.try_acquire(this->ask("late", 200, 100), kT0 + 64'000).granted);
}

TYPED_TEST(RateBudgetTest, ALaterAskNeverJumpsAWaiterThatDoesNotFitYet) {
  auto& b = *this->b_;
  EXPECT_TRUE(b.try_acquire(this->ask("a", 1, 50'000), kT0).granted);
  // "big" needs 30 s of audio: only after an hour. "small" (2 s) would fit now, but it came
  // later: it must not take budget the one ahead is waiting for... it fits both ways here, so
  // it may go (it delays nobody).
  RateGrant big = b.try_acquire(this->ask("big", 10, 30'000), kT0 + 1'000);
  EXPECT_FALSE(big.granted);
  RateGrant small = b.try_acquire(this->ask("small", 20, 2'000), kT0 + 1'000);
  EXPECT_FALSE(small.granted) << "scheduled after big, which waits for the hour";
  EXPECT_GE(small.wait, big.wait);
  // When the one ahead gives up, the later one goes at once.
  b.leave("groq", "big");
  EXPECT_TRUE(b.try_acquire(this->ask("small", 20, 2'000), kT0 + 1'000).granted);
}

TYPED_TEST(RateBudgetTest, AWaiterThatStopsAskingLosesItsPlace) {
  auto& b = *this->b_;
  EXPECT_TRUE(b.try_acquire(this->ask("a", 1, 59'000), kT0).granted);
  EXPECT_FALSE(b.try_acquire(this->ask("dead", 10, 30'000), kT0).granted);
  // "dead" never asks again (its process crashed): after kStaleMs "alive" is not behind it.
  int64_t later = kT0 + RateBudget::kStaleMs + 1;
  EXPECT_TRUE(b.try_acquire(this->ask("alive", 20, 1'000), later).granted);
}

TYPED_TEST(RateBudgetTest, BlockStopsEveryoneUntilThen) {
  auto& b = *this->b_;
  b.block_until("groq", kT0 + 7'000);
  RateGrant g = b.try_acquire(this->ask("a", 1, 100), kT0);
  EXPECT_FALSE(g.granted);
  EXPECT_EQ(g.wait, milliseconds(7'000));
  b.block_until("groq", kT0 + 1'000);  // never earlier than an existing block
  EXPECT_FALSE(b.try_acquire(this->ask("a", 1, 100), kT0 + 6'999).granted);
  EXPECT_TRUE(b.try_acquire(this->ask("a", 1, 100), kT0 + 7'000).granted);
  // Other engines are not blocked.
  EXPECT_TRUE(b.try_acquire(this->ask("o", 1, 100, "openai"), kT0).granted);
}

TYPED_TEST(RateBudgetTest, ServerReportedRemainingIsRespected) {
  auto& b = *this->b_;
  // The server says 5 s of audio are left until +20 s (less than our own count thinks).
  b.learn("groq", 1, 5'000, kT0 + 20'000);
  EXPECT_TRUE(b.try_acquire(this->ask("a", 1, 4'000), kT0).granted);
  RateGrant g = b.try_acquire(this->ask("b", 2, 4'000), kT0 + 100);
  EXPECT_FALSE(g.granted);
  EXPECT_EQ(g.wait, milliseconds(19'900));
  EXPECT_TRUE(b.try_acquire(this->ask("b", 2, 4'000), kT0 + 20'000).granted);
}

TYPED_TEST(RateBudgetTest, AGrantedTicketAskingAgainIsANewRequest) {
  auto& b = *this->b_;
  // The same job's next claim asks with the same ticket: that is another request to the
  // engine, and costs again.
  EXPECT_TRUE(b.try_acquire(this->ask("job1", 1, 100), kT0).granted);
  EXPECT_TRUE(b.try_acquire(this->ask("job1", 1, 100), kT0).granted);
  EXPECT_TRUE(b.try_acquire(this->ask("job1", 1, 100), kT0).granted);
  EXPECT_FALSE(b.try_acquire(this->ask("job1", 1, 100), kT0).granted);
}

TYPED_TEST(RateBudgetTest, AHeldWaiterKeepsItsPlaceWhileItsJobWaitsInTheQueue) {
  auto& b = *this->b_;
  EXPECT_TRUE(b.try_acquire(this->ask("a", 1, 50'000), kT0).granted);
  // "first" needs 20 s: only when "a" leaves the hour. It goes back to the queue until then.
  RateGrant first = b.try_acquire(this->ask("first", 10, 20'000), kT0 + 1'000);
  ASSERT_FALSE(first.granted);
  const int64_t back = kT0 + 1'000 + first.wait.count();
  b.hold("groq", "first", back);
  // Meanwhile a later job (45 s: not both fit the hour) is scheduled behind it, not into its
  // share.
  const int64_t later = kT0 + 30 * 60'000;  // half an hour on, long after kStaleMs
  RateGrant second = b.try_acquire(this->ask("second", 20, 45'000), later);
  EXPECT_FALSE(second.granted);
  EXPECT_GE(later + second.wait.count(), back);
  EXPECT_FALSE(b.try_acquire(this->ask("second", 20, 45'000), back).granted);
  // The held one is back, and its share is there.
  EXPECT_TRUE(b.try_acquire(this->ask("first", 10, 20'000), back).granted);
}

TYPED_TEST(RateBudgetTest, EstimateCountsTheLineAndChangesNothing) {
  auto& b = *this->b_;
  for (const char* t : {"a", "b", "c"})
    EXPECT_TRUE(b.try_acquire(this->ask(t, 1, 100), kT0).granted);
  EXPECT_FALSE(b.try_acquire(this->ask("w1", 5, 100), kT0).granted);
  EXPECT_FALSE(b.try_acquire(this->ask("w2", 6, 100), kT0).granted);
  EXPECT_FALSE(b.try_acquire(this->ask("w3", 7, 100), kT0).granted);
  // Three waiters take the three slots freeing at +60 s; the next one waits for the minute
  // after that.
  EXPECT_EQ(b.wait_estimate(this->ask("e", 8, 100), kT0), milliseconds(120'000));
  EXPECT_EQ(b.wait_estimate(this->ask("e", 8, 100), kT0), milliseconds(120'000));
  EXPECT_TRUE(b.try_acquire(this->ask("w1", 5, 100), kT0 + 60'000).granted);
}

TYPED_TEST(RateBudgetTest, SharedByTwoClients) {
  std::string skip;
  auto other = TypeParam::make(this->env_, &skip);
  // Two processes share a Redis budget; two memory budgets are two separate processes.
  if (std::string(TypeParam::kName) == "memory") GTEST_SKIP() << "memory budgets are per process";
  for (const char* t : {"a", "b"})
    EXPECT_TRUE(this->b_->try_acquire(this->ask(t, 1, 100), kT0).granted);
  EXPECT_TRUE(other->try_acquire(this->ask("c", 1, 100), kT0).granted);
  EXPECT_FALSE(other->try_acquire(this->ask("d", 1, 100), kT0).granted);
  EXPECT_FALSE(this->b_->try_acquire(this->ask("e", 1, 100), kT0).granted);
}

}  // namespace
}  // namespace tgscribe::store
