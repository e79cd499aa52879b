#pragma once
// Rate limits no test reaches: tests of what is sent (the outbox, the bot end to end, the
// limiter's 429 handling) must not wait on Telegram's real pacing.
#include "telegram/rate_limiter.h"

namespace tgscribe::telegram::testing {

inline RateLimits generous_limits() {
  RateLimits l;
  l.global_per_second = 1000;
  l.global_burst = 1000;
  l.chat_per_second = 1000;
  l.chat_burst = 1000;
  l.group_per_minute = 60000;
  l.group_burst = 1000;
  return l;
}

}  // namespace tgscribe::telegram::testing
