#include "telegram/rate_limiter.h"

#include <gtest/gtest.h>

#include "telegram/testing/generous_limits.h"

namespace tgscribe::telegram {
namespace {

using namespace std::chrono_literals;
using TimePoint = RateLimiter::TimePoint;

const TimePoint t0 = TimePoint(1000s);

TEST(TokenBucket, BurstThenSteadyRate) {
  TokenBucket b(2, 3);  // 2/s, burst 3
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(b.available_at(t0), t0) << i;
    b.take(t0);
  }
  auto next = b.available_at(t0);
  EXPECT_EQ(next, t0 + 500ms);
  b.take(next);
  EXPECT_EQ(b.available_at(t0), t0 + 1000ms);
  // After a quiet period the bucket is full again, not more than full.
  auto later = t0 + 10s;
  EXPECT_TRUE(b.full(later));
  for (int i = 0; i < 3; ++i) b.take(b.available_at(later));
  EXPECT_EQ(b.available_at(later), later + 500ms);
}

TEST(RateLimiter, OneMessagePerSecondPerChat) {
  RateLimits l = testing::generous_limits();
  l.chat_per_second = 1;
  l.chat_burst = 1;
  RateLimiter r(l);
  EXPECT_EQ(r.reserve_chat(7, t0), t0);
  EXPECT_EQ(r.reserve_chat(7, t0), t0 + 1s);
  EXPECT_EQ(r.reserve_chat(7, t0), t0 + 2s);
  EXPECT_EQ(r.reserve_chat(8, t0), t0);  // other chats are not held up
}

TEST(RateLimiter, GlobalLimitSpansChats) {
  RateLimits l = testing::generous_limits();
  l.global_per_second = 30;
  l.global_burst = 30;
  RateLimiter r(l);
  for (int i = 0; i < 30; ++i) EXPECT_EQ(r.reserve_global(t0), t0) << i;
  auto t31 = r.reserve_global(t0);
  EXPECT_GT(t31, t0);
  EXPECT_LE(t31, t0 + 34ms);  // one interval of 1/30 s
}

TEST(RateLimiter, DecorationTakesOnlyASlotNobodyWaitsFor) {
  RateLimits l = testing::generous_limits();
  l.global_per_second = 30;
  l.global_burst = 30;
  RateLimiter r(l);
  EXPECT_TRUE(r.try_reserve_global(t0));  // idle: a free slot
  for (int i = 0; i < 29; ++i) r.reserve_global(t0);
  // Every slot of the burst is taken and messages queue for the next ones: none to spare.
  EXPECT_FALSE(r.try_reserve_global(t0));
  auto next = r.reserve_global(t0);
  EXPECT_GT(next, t0);
  EXPECT_FALSE(r.try_reserve_global(next - 1ms));
  EXPECT_TRUE(r.try_reserve_global(t0 + 1s));  // the bucket refilled
  r.block_all(t0 + 5s);
  EXPECT_FALSE(r.try_reserve_global(t0 + 2s));  // Telegram said wait
}

TEST(RateLimiter, GroupsAreLimitedPerMinute) {
  RateLimits l = testing::generous_limits();
  l.group_per_minute = 20;
  l.group_burst = 20;
  RateLimiter r(l);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(r.reserve_chat(-100, t0), t0) << i;
  EXPECT_EQ(r.reserve_chat(-100, t0), t0 + 3s);  // 60 s / 20
  // Private chats (positive ids) have no per-minute bucket.
  for (int i = 0; i < 50; ++i) EXPECT_EQ(r.reserve_chat(100, t0), t0) << i;
}

TEST(RateLimiter, AChatWaitingForItsSlotDoesNotStallOthers) {
  RateLimits l = testing::generous_limits();
  l.chat_per_second = 1;
  l.chat_burst = 1;
  l.global_per_second = 30;
  l.global_burst = 5;
  RateLimiter r(l);
  // Chat 7 queues ten messages (the last one 9 s out); chat 8 still goes at once, because the
  // global slot is only taken when a message is actually about to leave.
  for (int i = 0; i < 10; ++i) EXPECT_EQ(r.reserve_chat(7, t0), t0 + std::chrono::seconds(i));
  EXPECT_EQ(r.reserve_chat(8, t0), t0);
  EXPECT_EQ(r.reserve_global(t0), t0);
}

TEST(RateLimiter, BlocksFromRetryAfter) {
  RateLimiter r(testing::generous_limits());
  r.block(7, t0 + 5s, t0);
  EXPECT_EQ(r.blocked_until(7, t0), t0 + 5s);
  EXPECT_EQ(r.blocked_until(8, t0), t0);
  EXPECT_EQ(r.reserve_chat(7, t0), t0 + 5s);
  EXPECT_EQ(r.reserve_chat(8, t0), t0);
  // A shorter block never shortens a longer one.
  r.block(7, t0 + 1s, t0);
  EXPECT_EQ(r.blocked_until(7, t0), t0 + 5s);
  // Expired blocks are gone.
  EXPECT_EQ(r.blocked_until(7, t0 + 6s), t0 + 6s);
}

TEST(RateLimiter, OneChatsRetryAfterDelaysOnlyThatChat) {
  RateLimiter r(testing::generous_limits());
  // Two busy chats refused a few seconds apart: each waits for its own block only.
  EXPECT_FALSE(r.block(7, t0 + 30s, t0));
  EXPECT_FALSE(r.block(8, t0 + 30s, t0 + 2s));
  EXPECT_EQ(r.blocked_until(9, t0 + 2s), t0 + 2s);
  EXPECT_EQ(r.reserve_chat(9, t0 + 2s), t0 + 2s);
  EXPECT_EQ(r.reserve_global(t0 + 2s), t0 + 2s);
  EXPECT_EQ(r.blocked_until(7, t0 + 2s), t0 + 30s);
  EXPECT_EQ(r.blocked_until(8, t0 + 2s), t0 + 30s);
}

TEST(RateLimiter, ManyChatsRefusedAtOnceMeansTheBotIsBlocked) {
  RateLimiter r(testing::generous_limits());
  EXPECT_FALSE(r.block(7, t0 + 5s, t0));
  EXPECT_FALSE(r.block(8, t0 + 4s, t0 + 100ms));
  EXPECT_EQ(r.blocked_until(9, t0 + 100ms), t0 + 100ms);
  EXPECT_TRUE(r.block(10, t0 + 4s, t0 + 200ms));    // the third chat within a second
  EXPECT_EQ(r.blocked_until(9, t0 + 1s), t0 + 4s);  // every chat waits
  EXPECT_EQ(r.reserve_global(t0 + 1s), t0 + 4s);
  EXPECT_EQ(r.blocked_until(7, t0 + 1s), t0 + 5s);
  r.block_all(t0 + 10s);
  EXPECT_EQ(r.blocked_until(12345, t0), t0 + 10s);
}

TEST(RateLimiter, ManyIdleChatsDoNotChangeTheLimits) {
  RateLimits l = testing::generous_limits();
  l.chat_per_second = 1;
  l.chat_burst = 1;
  RateLimiter r(l);
  // Enough distinct chats to trigger pruning of full buckets; busy chat 1 keeps its state.
  EXPECT_EQ(r.reserve_chat(1, t0), t0);
  for (int chat = 2; chat < 3000; ++chat) r.reserve_chat(chat, t0 - 10s);
  EXPECT_EQ(r.reserve_chat(1, t0), t0 + 1s);
}

}  // namespace
}  // namespace tgscribe::telegram
