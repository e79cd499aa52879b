#include "telegram/rate_limiter.h"

#include <algorithm>

namespace tgscribe::telegram {
namespace {

std::chrono::nanoseconds interval_of(double per_second) {
  return std::chrono::nanoseconds(static_cast<int64_t>(1e9 / std::max(per_second, 1e-9)));
}

}  // namespace

TokenBucket::TokenBucket(double per_second, double burst)
    : interval_(interval_of(per_second)),
      tolerance_(std::chrono::nanoseconds(static_cast<int64_t>(
          static_cast<double>(interval_.count()) * std::max(0.0, burst - 1)))) {}

TokenBucket::TimePoint TokenBucket::available_at(TimePoint now) const {
  return std::max(now, tat_ - tolerance_);
}

void TokenBucket::take(TimePoint t) { tat_ = std::max(tat_, t) + interval_; }

RateLimiter::RateLimiter(RateLimits limits)
    : limits_(limits), global_(limits.global_per_second, limits.global_burst) {}

TokenBucket& RateLimiter::bucket(std::map<int64_t, TokenBucket>& m, int64_t chat, double rate,
                                 double burst) {
  auto it = m.find(chat);
  if (it == m.end()) it = m.emplace(chat, TokenBucket(rate, burst)).first;
  return it->second;
}

void RateLimiter::prune(TimePoint now) {
  // Full buckets carry no state, so dropping them keeps memory bounded by active chats.
  for (auto* m : {&chats_, &groups_}) {
    if (m->size() < 1024) continue;
    std::erase_if(*m, [&](const auto& kv) { return kv.second.full(now); });
  }
}

RateLimiter::TimePoint RateLimiter::reserve_chat(int64_t chat_id, TimePoint now) {
  std::lock_guard lock(mutex_);
  prune(now);
  TimePoint t = std::max(now, global_blocked_);
  if (auto it = blocked_.find(chat_id); it != blocked_.end()) t = std::max(t, it->second);
  TokenBucket& chat = bucket(chats_, chat_id, limits_.chat_per_second, limits_.chat_burst);
  t = chat.available_at(t);
  TokenBucket* group = nullptr;
  if (chat_id < 0) {  // groups, supergroups and channels have negative ids
    group = &bucket(groups_, chat_id, limits_.group_per_minute / 60.0, limits_.group_burst);
    t = group->available_at(t);
  }
  chat.take(t);
  if (group) group->take(t);
  return t;
}

RateLimiter::TimePoint RateLimiter::reserve_global(TimePoint now) {
  std::lock_guard lock(mutex_);
  TimePoint t = global_.available_at(std::max(now, global_blocked_));
  global_.take(t);
  return t;
}

bool RateLimiter::try_reserve_global(TimePoint now) {
  std::lock_guard lock(mutex_);
  if (global_blocked_ > now || global_.available_at(now) > now) return false;
  global_.take(now);
  return true;
}

RateLimiter::TimePoint RateLimiter::blocked_until(int64_t chat_id, TimePoint now) const {
  std::lock_guard lock(mutex_);
  TimePoint t = std::max(now, global_blocked_);
  if (auto it = blocked_.find(chat_id); it != blocked_.end()) t = std::max(t, it->second);
  return t;
}

bool RateLimiter::block(int64_t chat_id, TimePoint until, TimePoint now) {
  std::lock_guard lock(mutex_);
  std::erase_if(blocked_, [&](const auto& kv) { return kv.second <= now; });  // memory only
  std::erase_if(refused_,
                [&](const auto& kv) { return kv.second < now - limits_.global_429_window; });
  refused_[chat_id] = now;
  TimePoint& b = blocked_[chat_id];
  b = std::max(b, until);
  if (static_cast<int>(refused_.size()) < std::max(1, limits_.global_429_chats)) return false;
  global_blocked_ = std::max(global_blocked_, until);
  return true;
}

void RateLimiter::block_all(TimePoint until) {
  std::lock_guard lock(mutex_);
  global_blocked_ = std::max(global_blocked_, until);
}

}  // namespace tgscribe::telegram
