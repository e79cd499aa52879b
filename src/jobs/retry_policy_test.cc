#include "jobs/retry_policy.h"

#include <gtest/gtest.h>

namespace tgscribe::jobs {
namespace {

using std::chrono::milliseconds;

TEST(RetryPolicy, ExponentialWithBoundedJitter) {
  RetryPolicy p{.max_retries = 3, .base = milliseconds(1000)};
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200; ++i) {
    auto d1 = p.delay(1, std::nullopt, rng);
    auto d2 = p.delay(2, std::nullopt, rng);
    auto d3 = p.delay(3, std::nullopt, rng);
    ASSERT_TRUE(d1 && d2 && d3);
    EXPECT_GE(d1->count(), 1000);
    EXPECT_LE(d1->count(), 1250);
    EXPECT_GE(d2->count(), 2000);
    EXPECT_LE(d2->count(), 2500);
    EXPECT_GE(d3->count(), 4000);
    EXPECT_LE(d3->count(), 5000);
  }
}

TEST(RetryPolicy, JitterActuallyVaries) {
  RetryPolicy p{.max_retries = 1, .base = milliseconds(10000)};
  std::mt19937_64 rng(1);
  auto a = p.delay(1, std::nullopt, rng);
  auto b = p.delay(1, std::nullopt, rng);
  EXPECT_NE(a->count(), b->count());
}

TEST(RetryPolicy, NoRetryBeyondTheMaximum) {
  RetryPolicy p{.max_retries = 2};
  std::mt19937_64 rng(1);
  EXPECT_TRUE(p.delay(2, std::nullopt, rng));
  EXPECT_FALSE(p.delay(3, std::nullopt, rng));
  RetryPolicy none{.max_retries = 0};
  EXPECT_FALSE(none.delay(1, std::nullopt, rng));
}

TEST(RetryPolicy, RetryAfterIsAFloorAndTheCapHolds) {
  RetryPolicy p{
      .max_retries = 30, .base = milliseconds(1000), .cap = milliseconds(60000), .jitter = 0};
  std::mt19937_64 rng(1);
  EXPECT_EQ(p.delay(1, milliseconds(9000), rng)->count(), 9000);
  EXPECT_EQ(p.delay(20, std::nullopt, rng)->count(), 60000);
}

}  // namespace
}  // namespace tgscribe::jobs
