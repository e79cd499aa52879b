#include "jobs/usage_quota.h"

namespace tgscribe::jobs {
namespace {

// Past the limit once this much more is added; a little slack so float sums of exactly the
// limit are not refused.
bool exceeds(double used_s, double more_s, double limit_min) {
  double limit_s = limit_min * 60;
  if (more_s <= 0) return used_s >= limit_s - 1e-6;
  return used_s + more_s > limit_s + 1e-6;
}

}  // namespace

UsageQuota::UsageQuota(const config::Config& config, store::UsageLedger& ledger, Clock& clock)
    : config_(config), ledger_(ledger), clock_(clock) {}

bool UsageQuota::enabled() const {
  return config_.quota_user_daily_min > 0 || config_.quota_global_daily_min > 0;
}

int64_t UsageQuota::seconds_to_reset() const {
  int64_t now_ms = clock_.unix_ms();
  int64_t next_midnight_ms = (store::utc_day(now_ms) + 1) * 86'400'000;
  return (next_midnight_ms - now_ms + 999) / 1000;
}

double UsageQuota::used_today_min(int64_t user_id) {
  int64_t today = store::utc_day(clock_.unix_ms());
  return ledger_.user_usage(user_id, today, today).audio_s / 60;
}

QuotaVerdict UsageQuota::check(int64_t user_id, double media_s, bool admin) {
  QuotaVerdict v;
  if (admin || !enabled()) return v;
  int64_t today = store::utc_day(clock_.unix_ms());
  if (config_.quota_user_daily_min > 0) {
    double used = ledger_.user_usage(user_id, today, today).audio_s;
    if (exceeds(used, media_s, config_.quota_user_daily_min)) {
      return {false, "user", used / 60, config_.quota_user_daily_min, seconds_to_reset()};
    }
  }
  if (config_.quota_global_daily_min > 0) {
    double used = store::total_of(ledger_.engine_usage(today, today)).audio_s;
    if (exceeds(used, media_s, config_.quota_global_daily_min)) {
      return {false, "global", used / 60, config_.quota_global_daily_min, seconds_to_reset()};
    }
  }
  return v;
}

}  // namespace tgscribe::jobs
