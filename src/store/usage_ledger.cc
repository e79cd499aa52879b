#include "store/usage_ledger.h"

#include <fmt/format.h>

#include <chrono>

namespace tgscribe::store {

Usage& Usage::operator+=(const Usage& o) {
  audio_s += o.audio_s;
  billed_s += o.billed_s;
  bytes += o.bytes;
  tokens += o.tokens;
  cost_usd += o.cost_usd;
  cache_saved_s += o.cache_saved_s;
  requests += o.requests;
  return *this;
}

int64_t utc_day(int64_t unix_ms) {
  // Floor division: a (test) clock before 1970 still lands on the right day.
  int64_t day_ms = 86'400'000;
  return unix_ms >= 0 ? unix_ms / day_ms : -((-unix_ms + day_ms - 1) / day_ms);
}

std::string day_string(int64_t day) {
  std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

Usage total_of(const std::map<std::string, Usage>& by_engine) {
  Usage total;
  for (const auto& [engine, u] : by_engine) total += u;
  return total;
}

}  // namespace tgscribe::store
