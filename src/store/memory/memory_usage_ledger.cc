#include "store/memory/memory_usage_ledger.h"

#include <algorithm>

namespace tgscribe::store {

void MemoryUsageLedger::add(int64_t user_id, int64_t day, const std::string& engine,
                            const Usage& u) {
  std::lock_guard lock(mutex_);
  rows_[{user_id, day, engine}] += u;
  totals_[{day, engine}] += u;
}

Usage MemoryUsageLedger::user_usage(int64_t user_id, int64_t first_day, int64_t last_day) {
  std::lock_guard lock(mutex_);
  Usage out;
  for (auto it = rows_.lower_bound({user_id, first_day, ""});
       it != rows_.end() && std::get<0>(it->first) == user_id && std::get<1>(it->first) <= last_day;
       ++it) {
    out += it->second;
  }
  return out;
}

std::map<std::string, Usage> MemoryUsageLedger::engine_usage(int64_t first_day, int64_t last_day) {
  std::lock_guard lock(mutex_);
  std::map<std::string, Usage> out;
  for (auto it = totals_.lower_bound({first_day, ""});
       it != totals_.end() && it->first.first <= last_day; ++it) {
    out[it->first.second] += it->second;
  }
  return out;
}

std::vector<UserUsage> MemoryUsageLedger::top_users(int64_t first_day, int64_t last_day, int n) {
  std::map<int64_t, Usage> per_user;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, u] : rows_) {
      int64_t day = std::get<1>(key);
      if (day >= first_day && day <= last_day) per_user[std::get<0>(key)] += u;
    }
  }
  std::vector<UserUsage> out;
  for (const auto& [user, u] : per_user) {
    if (u.audio_s > 0) out.push_back({user, u});
  }
  std::sort(out.begin(), out.end(), [](const UserUsage& a, const UserUsage& b) {
    return a.usage.audio_s != b.usage.audio_s ? a.usage.audio_s > b.usage.audio_s
                                              : a.user_id < b.user_id;
  });
  if (n >= 0 && out.size() > static_cast<size_t>(n)) out.resize(n);
  return out;
}

void MemoryUsageLedger::forget(int64_t user_id) {
  std::lock_guard lock(mutex_);
  std::erase_if(rows_, [&](const auto& kv) { return std::get<0>(kv.first) == user_id; });
}

void MemoryUsageLedger::prune(int64_t first_kept_day) {
  std::lock_guard lock(mutex_);
  std::erase_if(rows_, [&](const auto& kv) { return std::get<1>(kv.first) < first_kept_day; });
  std::erase_if(totals_, [&](const auto& kv) { return kv.first.first < first_kept_day; });
}

}  // namespace tgscribe::store
