#pragma once
// The daily quotas (QUOTA_USER_DAILY_MIN, QUOTA_GLOBAL_DAILY_MIN; 0 = no limit), counted in
// audio minutes sent to the engines per UTC day, as the UsageLedger has them. Checked at
// intake with the duration Telegram states for the media, so a message that would take its
// user (or everyone) past the quota is refused before anything is downloaded. Admins are
// exempt; cache answers never reach this check and never count.
//
// The check reads the ledger, it reserves nothing: jobs already queued count once they ran,
// so at most QUEUE_RATE_LIMIT_PER_USER jobs of one user can run past the line.
#include <cstdint>
#include <string>

#include "common/clock.h"
#include "config/config.h"
#include "store/usage_ledger.h"

namespace tgscribe::jobs {

struct QuotaVerdict {
  bool allowed = true;
  std::string scope;        // refused: "user" or "global"
  double used_min = 0;      // of that scope today
  double limit_min = 0;     // of that scope
  int64_t resets_in_s = 0;  // until the next 00:00 UTC
};

class UsageQuota {
 public:
  UsageQuota(const config::Config& config, store::UsageLedger& ledger,
             Clock& clock = SystemClock::instance());

  // Would `media_s` more seconds of audio take `user_id` or everyone past today's quota?
  // A media of unknown length (0) is refused only once the quota is used up. Throws when the
  // ledger cannot be read (the update is then retried, like any store failure at intake).
  QuotaVerdict check(int64_t user_id, double media_s, bool admin);

  // Today's figures for /usage.
  double used_today_min(int64_t user_id);
  int64_t seconds_to_reset() const;
  bool enabled() const;

 private:
  const config::Config& config_;
  store::UsageLedger& ledger_;
  Clock& clock_;
};

}  // namespace tgscribe::jobs
