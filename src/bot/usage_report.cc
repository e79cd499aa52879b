#include "bot/usage_report.h"

#include <algorithm>
#include <chrono>

#include "jobs/usage_quota.h"
#include "store/usage_ledger.h"

namespace tgscribe::bot {
namespace {

constexpr int kTopUsers = 5;

int64_t first_day_of_month(int64_t day) {
  std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  std::chrono::sys_days first{ymd.year() / ymd.month() / std::chrono::day{1}};
  return first.time_since_epoch().count();
}

std::string engine_lines(const std::map<std::string, store::Usage>& by_engine, Lang lang) {
  std::string out;
  for (const auto& [engine, u] : by_engine) {
    if (u.requests == 0 && u.audio_s == 0 && u.tokens == 0) continue;  // only cache savings
    if (!out.empty()) out += "\n";
    out += tr(lang, Msg::kStatsUsageEngine, fmt::arg("engine", engine),
              fmt::arg("requests", u.requests), fmt::arg("audio", format_audio(u.audio_s)),
              fmt::arg("billed", format_audio(u.billed_s)),
              fmt::arg("mb", format_mb(static_cast<double>(u.bytes))),
              fmt::arg("cost", format_usd(u.cost_usd)));
  }
  return out.empty() ? tr(lang, Msg::kStatsUsageNone) : out;
}

}  // namespace

std::string format_minutes(double seconds) {
  double min = std::max(0.0, seconds) / 60;
  return min < 10 ? fmt::format("{:.2f}", min) : fmt::format("{:.1f}", min);
}

std::string format_audio(double seconds) {
  seconds = std::max(0.0, seconds);
  return seconds < 120 ? fmt::format("{:.1f} s", seconds) : fmt::format("{:.1f} min", seconds / 60);
}

std::string format_usd(double usd) {
  usd = std::max(0.0, usd);
  return usd < 1 ? fmt::format("{:.4f}", usd) : fmt::format("{:.2f}", usd);
}

std::string usage_text(BotEnv& env, int64_t user_id, Lang lang) {
  const config::Config& cfg = env.config;
  jobs::UsageQuota quota(cfg, *env.usage, env.clock);
  int64_t today = store::utc_day(env.clock.unix_ms());
  store::Usage day = env.usage->user_usage(user_id, today, today);
  store::Usage month = env.usage->user_usage(user_id, first_day_of_month(today), today);
  std::string reset_in = format_duration(static_cast<double>(quota.seconds_to_reset()));

  std::string quota_text;
  if (!quota.enabled()) {
    quota_text = tr(lang, Msg::kUsageNoQuota);
  } else if (is_admin_user(cfg, user_id)) {
    quota_text = tr(lang, Msg::kUsageAdminExempt);
  } else {
    if (cfg.quota_user_daily_min > 0) {
      double left = std::max(0.0, cfg.quota_user_daily_min * 60 - day.audio_s);
      quota_text = tr(lang, Msg::kUsageQuota, fmt::arg("left_min", format_minutes(left)),
                      fmt::arg("limit_min", format_minutes(cfg.quota_user_daily_min * 60)),
                      fmt::arg("reset_in", reset_in));
    }
    if (cfg.quota_global_daily_min > 0) {
      double used = store::total_of(env.usage->engine_usage(today, today)).audio_s;
      double left = std::max(0.0, cfg.quota_global_daily_min * 60 - used);
      if (!quota_text.empty()) quota_text += "\n";
      quota_text += tr(lang, Msg::kUsageGlobalQuota, fmt::arg("left_min", format_minutes(left)),
                       fmt::arg("limit_min", format_minutes(cfg.quota_global_daily_min * 60)),
                       fmt::arg("reset_in", reset_in));
    }
  }
  return tr(lang, Msg::kUsage, fmt::arg("today_min", format_minutes(day.audio_s)),
            fmt::arg("today_requests", day.requests),
            fmt::arg("month_min", format_minutes(month.audio_s)),
            fmt::arg("month_requests", month.requests), fmt::arg("quota", quota_text));
}

std::string stats_usage_text(BotEnv& env, Lang lang) {
  int64_t today = store::utc_day(env.clock.unix_ms());
  auto by_engine_today = env.usage->engine_usage(today, today);
  auto by_engine_7d = env.usage->engine_usage(today - 6, today);
  auto by_engine_30d = env.usage->engine_usage(today - 29, today);
  store::Usage t1 = store::total_of(by_engine_today);
  store::Usage t7 = store::total_of(by_engine_7d);
  store::Usage t30 = store::total_of(by_engine_30d);

  std::string top;
  int rank = 0;
  for (const auto& u : env.usage->top_users(today - 29, today, kTopUsers)) {
    if (!top.empty()) top += "\n";
    top +=
        tr(lang, Msg::kStatsUsageUser, fmt::arg("rank", ++rank), fmt::arg("user", u.user_id),
           fmt::arg("audio", format_audio(u.usage.audio_s)), fmt::arg("requests", u.usage.requests),
           fmt::arg("cost", format_usd(u.usage.cost_usd)));
  }
  if (top.empty()) top = tr(lang, Msg::kStatsUsageNone);

  return tr(lang, Msg::kStatsUsage, fmt::arg("cost_today", format_usd(t1.cost_usd)),
            fmt::arg("cost_7d", format_usd(t7.cost_usd)),
            fmt::arg("cost_30d", format_usd(t30.cost_usd)),
            fmt::arg("engines_today", engine_lines(by_engine_today, lang)),
            fmt::arg("engines_30d", engine_lines(by_engine_30d, lang)),
            fmt::arg("saved_today", format_audio(t1.cache_saved_s)),
            fmt::arg("saved_30d", format_audio(t30.cache_saved_s)), fmt::arg("top_users", top));
}

}  // namespace tgscribe::bot
