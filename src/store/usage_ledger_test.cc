// Typed suite: every UsageLedger implementation must pass it. To add one, write a factory in
// testing/usage_factories.h and add it to UsageImpls.
#include "store/usage_ledger.h"

#include <gtest/gtest.h>

#include <thread>

#include "store/testing/usage_factories.h"

namespace tgscribe::store {
namespace {

Usage request(double audio_s, double billed_s, int64_t bytes, double cost) {
  Usage u;
  u.audio_s = audio_s;
  u.billed_s = billed_s;
  u.bytes = bytes;
  u.cost_usd = cost;
  u.requests = 1;
  return u;
}

Usage saved(double seconds) {
  Usage u;
  u.cache_saved_s = seconds;
  return u;
}

template <typename Factory>
class UsageLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    l_ = Factory::make(env_, &skip_reason_);
    if (!l_) GTEST_SKIP() << skip_reason_;
  }
  testing::StoreTestEnv env_;
  std::string skip_reason_;
  std::unique_ptr<UsageLedger> l_;
};

using UsageImpls = ::testing::Types<testing::MemoryUsageFactory, testing::SqliteUsageFactory,
                                    testing::RedisUsageFactory>;
TYPED_TEST_SUITE(UsageLedgerTest, UsageImpls, testing::FactoryName);

TYPED_TEST(UsageLedgerTest, EmptyLedgerHasNothing) {
  auto& l = *this->l_;
  Usage u = l.user_usage(42, 0, 100000);
  EXPECT_EQ(u.requests, 0);
  EXPECT_DOUBLE_EQ(u.audio_s, 0);
  EXPECT_TRUE(l.engine_usage(0, 100000).empty());
  EXPECT_TRUE(l.top_users(0, 100000, 10).empty());
}

TYPED_TEST(UsageLedgerTest, AddsUpPerUserPerDayAndPerEngine) {
  auto& l = *this->l_;
  l.add(1, 20000, "groq", request(3.5, 10, 1000, 0.001));
  l.add(1, 20000, "groq", request(12.25, 13, 5000, 0.002));
  l.add(1, 20000, "openai", request(2, 2, 300, 0.0002));
  l.add(1, 20001, "groq", request(60, 60, 9000, 0.01));
  l.add(2, 20000, "groq", request(1, 10, 100, 0.001));
  l.add(2, 20000, "groq", saved(30));

  Usage day = l.user_usage(1, 20000, 20000);
  EXPECT_DOUBLE_EQ(day.audio_s, 17.75);
  EXPECT_DOUBLE_EQ(day.billed_s, 25);
  EXPECT_EQ(day.bytes, 6300);
  EXPECT_EQ(day.requests, 3);
  EXPECT_NEAR(day.cost_usd, 0.0032, 1e-12);

  Usage both = l.user_usage(1, 20000, 20001);
  EXPECT_DOUBLE_EQ(both.audio_s, 77.75);
  EXPECT_EQ(both.requests, 4);
  EXPECT_DOUBLE_EQ(l.user_usage(1, 20001, 20030).audio_s, 60);
  EXPECT_DOUBLE_EQ(l.user_usage(1, 19990, 19999).audio_s, 0);

  Usage two = l.user_usage(2, 20000, 20000);
  EXPECT_EQ(two.requests, 1);
  EXPECT_DOUBLE_EQ(two.cache_saved_s, 30);

  auto engines = l.engine_usage(20000, 20000);
  ASSERT_EQ(engines.size(), 2u);
  EXPECT_DOUBLE_EQ(engines["groq"].audio_s, 16.75);
  EXPECT_EQ(engines["groq"].requests, 3);
  EXPECT_DOUBLE_EQ(engines["groq"].billed_s, 33);
  EXPECT_DOUBLE_EQ(engines["groq"].cache_saved_s, 30);
  EXPECT_DOUBLE_EQ(engines["openai"].audio_s, 2);
  EXPECT_DOUBLE_EQ(total_of(l.engine_usage(20000, 20001)).audio_s, 78.75);
}

TYPED_TEST(UsageLedgerTest, TopUsersByAudioSeconds) {
  auto& l = *this->l_;
  l.add(10, 20000, "groq", request(5, 10, 0, 0));
  l.add(11, 20000, "groq", request(50, 50, 0, 0));
  l.add(12, 20001, "groq", request(20, 20, 0, 0));
  l.add(12, 20002, "openai", request(20, 20, 0, 0));
  l.add(13, 20000, "groq", saved(500));  // the cache's answers are no use of the engines
  l.add(14, 19000, "groq", request(999, 999, 0, 0));  // outside the range

  auto top = l.top_users(20000, 20002, 10);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].user_id, 11);
  EXPECT_EQ(top[1].user_id, 12);
  EXPECT_DOUBLE_EQ(top[1].usage.audio_s, 40);
  EXPECT_EQ(top[1].usage.requests, 2);
  EXPECT_EQ(top[2].user_id, 10);

  auto first = l.top_users(20000, 20002, 1);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].user_id, 11);
}

TYPED_TEST(UsageLedgerTest, ForgetRemovesTheUsersRowsButKeepsTheBill) {
  auto& l = *this->l_;
  l.add(7, 20000, "groq", request(30, 30, 100, 0.01));
  l.add(7, 20001, "groq", request(10, 10, 100, 0.01));
  l.add(8, 20000, "groq", request(5, 10, 100, 0.01));
  l.forget(7);
  EXPECT_EQ(l.user_usage(7, 0, 100000).requests, 0);
  EXPECT_DOUBLE_EQ(l.user_usage(8, 20000, 20000).audio_s, 5);
  auto top = l.top_users(20000, 20001, 10);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].user_id, 8);
  // What the engines billed that day stays in the totals, without a name.
  EXPECT_DOUBLE_EQ(l.engine_usage(20000, 20001)["groq"].audio_s, 45);
  // A forgotten user starts again from nothing.
  l.add(7, 20002, "groq", request(1, 10, 1, 0));
  EXPECT_DOUBLE_EQ(l.user_usage(7, 0, 100000).audio_s, 1);
}

TYPED_TEST(UsageLedgerTest, PruneDropsOldDays) {
  auto& l = *this->l_;
  l.add(1, 19990, "groq", request(100, 100, 0, 0));
  l.add(1, 19999, "groq", request(10, 10, 0, 0));
  l.add(1, 20000, "groq", request(1, 10, 0, 0));
  l.prune(20000);
  EXPECT_DOUBLE_EQ(l.user_usage(1, 0, 100000).audio_s, 1);
  EXPECT_DOUBLE_EQ(total_of(l.engine_usage(0, 100000)).audio_s, 1);
  auto top = l.top_users(19990, 20000, 10);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_DOUBLE_EQ(top[0].usage.audio_s, 1);
}

TYPED_TEST(UsageLedgerTest, ConcurrentAddsLoseNothing) {
  // Several workers (or instances) add at once: the global total must be exact, or the
  // global quota would let too much through.
  auto& l = *this->l_;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&l, t] {
      for (int i = 0; i < 25; ++i) l.add(100 + t, 20000, "groq", request(2, 10, 10, 0));
    });
  }
  for (auto& th : threads) th.join();
  Usage total = total_of(l.engine_usage(20000, 20000));
  EXPECT_EQ(total.requests, 100);
  EXPECT_DOUBLE_EQ(total.audio_s, 200);
  EXPECT_EQ(l.user_usage(102, 20000, 20000).requests, 25);
}

TYPED_TEST(UsageLedgerTest, SurvivesReopen) {
  if (!TypeParam::kPersistent) GTEST_SKIP() << "implementation is not persistent";
  this->l_->add(5, 20000, "deepgram", request(61.5, 62, 4000, 0.004));
  this->l_.reset();
  auto reopened = TypeParam::make(this->env_, &this->skip_reason_);
  ASSERT_TRUE(reopened);
  EXPECT_DOUBLE_EQ(reopened->user_usage(5, 20000, 20000).audio_s, 61.5);
  EXPECT_EQ(reopened->engine_usage(20000, 20000)["deepgram"].bytes, 4000);
}

TEST(UsageDays, UtcDayAndItsName) {
  EXPECT_EQ(utc_day(0), 0);
  EXPECT_EQ(utc_day(86'399'999), 0);
  EXPECT_EQ(utc_day(86'400'000), 1);
  EXPECT_EQ(utc_day(-1), -1);
  EXPECT_EQ(day_string(0), "1970-01-01");
  // 2026-11-30 00:00:00 UTC = 1795996800 s.
  EXPECT_EQ(day_string(utc_day(1'795'996'800'000LL)), "2026-11-30");
  EXPECT_EQ(day_string(utc_day(1'795'996'800'000LL - 1)), "2026-11-29");
}

}  // namespace
}  // namespace tgscribe::store
