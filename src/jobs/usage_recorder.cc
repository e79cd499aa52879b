#include "jobs/usage_recorder.h"

#include <spdlog/spdlog.h>

#include "common/metrics.h"

namespace tgscribe::jobs {
namespace {

tgscribe::metrics::Registry& reg() { return tgscribe::metrics::Registry::global(); }

constexpr int64_t kPruneEveryMs = 3'600'000;

}  // namespace

UsageRecorder::UsageRecorder(const config::Config& config, store::UsageLedger& ledger, Clock& clock)
    : config_(config), ledger_(ledger), clock_(clock) {
  describe_metrics(config);
}

void UsageRecorder::describe_metrics(const config::Config&) {
  tgscribe::metrics::Registry& r = reg();
  r.describe("engine_billed_seconds_total", "counter",
             "Audio seconds the engines bill for (their minimum per request applied)");
  r.describe("engine_cost_usd_total", "counter",
             "Estimated engine cost in USD (ENGINE_PRICE_<ENGINE> per audio hour)");
  r.describe("engine_requests_total", "counter", "Engine requests answered, by engine");
  r.describe("cache_saved_seconds_total", "counter",
             "Audio seconds answered from the cache instead of an engine");
  r.describe("quota_refusals_total", "counter",
             "Media messages refused by a daily quota, by scope (user, global)");
  // Every series a dashboard plots exists from the first scrape, at 0 (adding 0 keeps what
  // was counted).
  for (const char* e : {"groq", "openai", "deepgram", "sphinx"}) {
    r.counter_add("engine_billed_seconds_total", {{"engine", e}}, 0);
    r.counter_add("engine_cost_usd_total", {{"engine", e}}, 0);
    r.counter_add("engine_requests_total", {{"engine", e}}, 0);
  }
  r.counter_add("cache_saved_seconds_total", {}, 0);
  for (const char* s : {"user", "global"}) {
    r.counter_add("quota_refusals_total", {{"scope", s}}, 0);
  }
}

void UsageRecorder::count_quota_refusal(const std::string& scope) {
  reg().counter_add("quota_refusals_total", {{"scope", scope}});
}

void UsageRecorder::record(const engine::UsageRecord& r) noexcept {
  try {
    reg().counter_add("engine_billed_seconds_total", {{"engine", r.engine}}, r.billed_s);
    reg().counter_add("engine_cost_usd_total", {{"engine", r.engine}}, r.cost_usd);
    reg().counter_add("engine_requests_total", {{"engine", r.engine}});
    store::Usage u;
    u.audio_s = r.audio_s;
    u.billed_s = r.billed_s;
    u.bytes = r.bytes;
    u.tokens = r.tokens;
    u.cost_usd = r.cost_usd;
    u.requests = 1;
    ledger_.add(r.user_id, store::utc_day(clock_.unix_ms()), r.engine, u);
  } catch (const std::exception& e) {
    spdlog::warn("usage: recording a {} request of user {} failed: {}", r.engine, r.user_id,
                 e.what());
  }
  prune_if_due();
}

void UsageRecorder::record_cache_saving(int64_t user_id, const std::string& engine,
                                        double seconds) noexcept {
  if (!(seconds > 0)) return;
  try {
    reg().counter_add("cache_saved_seconds_total", {}, seconds);
    store::Usage u;
    u.cache_saved_s = seconds;
    ledger_.add(user_id, store::utc_day(clock_.unix_ms()), engine.empty() ? "unknown" : engine, u);
  } catch (const std::exception& e) {
    spdlog::warn("usage: recording a cache answer for user {} failed: {}", user_id, e.what());
  }
}

void UsageRecorder::prune() noexcept {
  int64_t first_kept = store::utc_day(clock_.unix_ms()) - config_.usage_retention_days;
  try {
    ledger_.prune(first_kept);
    spdlog::debug("usage: pruned days before {}", store::day_string(first_kept));
  } catch (const std::exception& e) {
    spdlog::warn("usage: pruning days before {} failed: {}", store::day_string(first_kept),
                 e.what());
  }
}

void UsageRecorder::prune_if_due() noexcept {
  int64_t now = clock_.unix_ms();
  int64_t last = last_prune_ms_.load();
  if (last != 0 && now - last < kPruneEveryMs) return;
  if (!last_prune_ms_.compare_exchange_strong(last, now)) return;  // another thread does it
  prune();
}

}  // namespace tgscribe::jobs
