// UsageQuota and UsageRecorder over the memory ledger with a clock the test drives: the
// quota's arithmetic (user, global, admins, unknown durations, the reset at 00:00 UTC), and
// what the recorder books (requests, cache savings, retention) and counts on /metrics.
#include <gtest/gtest.h>

#include "common/metrics.h"
#include "common/testing/manual_clock.h"
#include "jobs/usage_quota.h"
#include "jobs/usage_recorder.h"
#include "store/memory/memory_usage_ledger.h"

namespace tgscribe::jobs {
namespace {

using tgscribe::testing::ManualClock;

// 2026-11-30 18:00:00 UTC: six hours before the quota resets.
constexpr int64_t kEvening = 1'795'996'800'000LL + 18 * 3'600'000LL;

engine::UsageRecord groq_request(int64_t user, double audio_s) {
  engine::UsageRecord r;
  r.user_id = user;
  r.engine = "groq";
  r.model = "whisper-large-v3-turbo";
  r.audio_s = audio_s;
  r.billed_s = std::max(10.0, audio_s);
  r.bytes = 1000;
  r.cost_usd = r.billed_s / 3600 * 0.04;
  return r;
}

class UsageTest : public ::testing::Test {
 protected:
  config::Config cfg_;
  ManualClock clock_{kEvening};
  store::MemoryUsageLedger ledger_;
};

TEST_F(UsageTest, NoQuotaAllowsEverything) {
  UsageQuota quota(cfg_, ledger_, clock_);
  EXPECT_FALSE(quota.enabled());
  EXPECT_TRUE(quota.check(1, 1e6, false).allowed);
}

TEST_F(UsageTest, UserQuotaCountsAudioSentTodayAndTheNewMedia) {
  cfg_.quota_user_daily_min = 2;  // 120 s
  UsageRecorder rec(cfg_, ledger_, clock_);
  UsageQuota quota(cfg_, ledger_, clock_);
  rec.record(groq_request(1, 90));
  EXPECT_TRUE(quota.check(1, 30, false).allowed);  // exactly the limit
  QuotaVerdict v = quota.check(1, 31, false);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.scope, "user");
  EXPECT_DOUBLE_EQ(v.used_min, 1.5);
  EXPECT_DOUBLE_EQ(v.limit_min, 2);
  EXPECT_EQ(v.resets_in_s, 6 * 3600);
  EXPECT_TRUE(quota.check(2, 120, false).allowed);  // another user
  EXPECT_TRUE(quota.check(1, 3600, true).allowed);  // admins are exempt
  // Unknown length: refused only once nothing is left.
  EXPECT_TRUE(quota.check(1, 0, false).allowed);
  rec.record(groq_request(1, 30));
  EXPECT_FALSE(quota.check(1, 0, false).allowed);
  // Cache answers are savings, not use.
  rec.record_cache_saving(2, "groq", 500);
  EXPECT_TRUE(quota.check(2, 120, false).allowed);
  // A new UTC day starts from nothing.
  clock_.advance(std::chrono::hours(6));
  EXPECT_TRUE(quota.check(1, 120, false).allowed);
  EXPECT_EQ(quota.seconds_to_reset(), 24 * 3600);
}

TEST_F(UsageTest, GlobalQuotaCountsEveryone) {
  cfg_.quota_global_daily_min = 1;
  UsageRecorder rec(cfg_, ledger_, clock_);
  UsageQuota quota(cfg_, ledger_, clock_);
  rec.record(groq_request(1, 20));
  rec.record(groq_request(2, 30));
  QuotaVerdict v = quota.check(3, 11, false);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.scope, "global");
  EXPECT_NEAR(v.used_min, 50.0 / 60, 1e-12);
  EXPECT_TRUE(quota.check(3, 10, false).allowed);
  EXPECT_TRUE(quota.check(3, 11, true).allowed);
  // /forget does not give the day's minutes back to everyone.
  ledger_.forget(1);
  EXPECT_FALSE(quota.check(3, 11, false).allowed);
}

TEST_F(UsageTest, RecorderBooksRequestsSavingsAndTokensAndCountsThem) {
  auto& reg = metrics::Registry::global();
  UsageRecorder rec(cfg_, ledger_, clock_);
  double billed0 = reg.counter_value("engine_billed_seconds_total", {{"engine", "groq"}});
  double cost0 = reg.counter_value("engine_cost_usd_total", {{"engine", "groq"}});
  double refusals0 = reg.counter_value("quota_refusals_total", {{"scope", "global"}});
  EXPECT_GE(reg.counter_value("quota_refusals_total", {{"scope", "user"}}), 0);
  EXPECT_NE(reg.render().find("tgscribe_quota_refusals_total{scope=\"user\"}"), std::string::npos);

  rec.record(groq_request(5, 3));
  rec.record(groq_request(5, 12.5));
  rec.record_cache_saving(5, "groq", 40);
  UsageRecorder::count_quota_refusal("global");

  int64_t today = store::utc_day(clock_.unix_ms());
  store::Usage u = ledger_.user_usage(5, today, today);
  EXPECT_EQ(u.requests, 2);
  EXPECT_DOUBLE_EQ(u.audio_s, 15.5);
  EXPECT_DOUBLE_EQ(u.billed_s, 22.5);
  EXPECT_EQ(u.bytes, 2000);
  EXPECT_DOUBLE_EQ(u.cache_saved_s, 40);
  EXPECT_DOUBLE_EQ(reg.counter_value("engine_billed_seconds_total", {{"engine", "groq"}}) - billed0,
                   22.5);
  EXPECT_NEAR(reg.counter_value("engine_cost_usd_total", {{"engine", "groq"}}) - cost0,
              22.5 / 3600 * 0.04, 1e-12);
  EXPECT_DOUBLE_EQ(reg.counter_value("quota_refusals_total", {{"scope", "global"}}) - refusals0, 1);
}

TEST_F(UsageTest, RecorderPrunesPastTheRetention) {
  cfg_.usage_retention_days = 10;
  UsageRecorder rec(cfg_, ledger_, clock_);
  int64_t today = store::utc_day(clock_.unix_ms());
  store::Usage old;
  old.audio_s = 100;
  ledger_.add(1, today - 11, "groq", old);
  ledger_.add(1, today - 10, "groq", old);
  rec.prune();
  EXPECT_DOUBLE_EQ(ledger_.user_usage(1, 0, today).audio_s, 100);
  // The next record an hour later prunes by itself once the day moved on.
  rec.record(groq_request(1, 1));
  clock_.advance(std::chrono::hours(24));
  rec.record(groq_request(1, 1));
  EXPECT_DOUBLE_EQ(ledger_.user_usage(1, 0, today + 1).audio_s, 2);
}

}  // namespace
}  // namespace tgscribe::jobs
