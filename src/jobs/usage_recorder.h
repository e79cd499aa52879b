#pragma once
// The bookkeeper between the engines and the UsageLedger: every answered engine request
// (engine::MeteredTranscriber) and every transcript answered from the cache become ledger rows
// of the job's user on today's UTC day, and the Prometheus counters
//   tgscribe_engine_billed_seconds_total{engine}, tgscribe_engine_cost_usd_total{engine},
//   tgscribe_engine_requests_total{engine}, tgscribe_llm_tokens_total{kind},
//   tgscribe_cache_saved_seconds_total, tgscribe_quota_refusals_total{scope}
// all of which exist (at 0) from the first scrape. Rows older than USAGE_RETENTION_DAYS are
// pruned at most once an hour, from whichever thread records next.
//
// Accounting never fails a job: a ledger that cannot be written is logged, and the counters
// still move.
#include <atomic>
#include <cstdint>
#include <string>

#include "common/clock.h"
#include "config/config.h"
#include "engine/billing.h"
#include "store/usage_ledger.h"

namespace tgscribe::jobs {

class UsageRecorder : public engine::UsageSink {
 public:
  UsageRecorder(const config::Config& config, store::UsageLedger& ledger,
                Clock& clock = SystemClock::instance());

  // An engine answered a request.
  void record(const engine::UsageRecord& record) noexcept override;
  // `seconds` of audio were answered from the cache (or by an identical job in flight) for
  // `user_id`, sparing engine `engine`: counted as savings, never as use.
  void record_cache_saving(int64_t user_id, const std::string& engine, double seconds) noexcept;
  // Removes rows older than the retention now (also run by the recorder once an hour).
  void prune() noexcept;

  // HELP/TYPE lines and every series at 0 (app/metric_catalog.cc calls it too); idempotent,
  // never resets a value already counted.
  static void describe_metrics(const config::Config& config);
  // A media message refused by a quota: scope "user" or "global".
  static void count_quota_refusal(const std::string& scope);

 private:
  void prune_if_due() noexcept;

  const config::Config& config_;
  store::UsageLedger& ledger_;
  Clock& clock_;
  std::atomic<int64_t> last_prune_ms_{0};
};

}  // namespace tgscribe::jobs
