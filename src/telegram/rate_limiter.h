#pragma once
// Telegram's flood limits as token buckets: ≈30 messages/s per bot, ≈1/s per chat, 20/min per
// group, plus "come back in N seconds" blocks learned from 429 answers. Written by hand: the
// buckets are a dozen lines each and no packaged library offers per-key buckets on an
// injectable clock.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>

#include "common/clock.h"

namespace tgscribe::telegram {

// A bucket of `burst` tokens refilled at `per_second`, as a virtual-scheduling (GCRA) clock:
// reserving returns the moment the caller may go, and the slot is taken at once, so threads
// that reserve concurrently are spread out rather than woken together.
class TokenBucket {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  TokenBucket(double per_second, double burst);
  // Earliest time >= now at which one token is available.
  TimePoint available_at(TimePoint now) const;
  // Takes the token at time t (t from available_at, or later).
  void take(TimePoint t);
  // A bucket whose next token is due by `now` is full: it behaves exactly like a new one.
  bool full(TimePoint now) const { return tat_ <= now; }

 private:
  std::chrono::nanoseconds interval_;
  std::chrono::nanoseconds tolerance_;
  TimePoint tat_{};  // theoretical arrival time of the next token
};

struct RateLimits {
  double global_per_second = 30;
  double global_burst = 30;
  double chat_per_second = 1;
  double chat_burst = 3;  // a reply and its files may leave together
  double group_per_minute = 20;
  double group_burst = 20;
  // Telegram's 429 does not say whether a chat's limit or the bot-wide one was hit. A chat's
  // own 429 must delay only that chat; the bot-wide limit shows as 429s for many chats at
  // once. So this many distinct chats refused within `global_429_window` means the bot-wide
  // limit: every chat waits. (Two chats refused within a minute of each other is just two
  // busy chats.)
  int global_429_chats = 3;
  std::chrono::milliseconds global_429_window{1000};
};

class RateLimiter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  explicit RateLimiter(RateLimits limits = {});

  // Sending is two-phase so that a message held back by its chat's limit does not also hold
  // a bot-wide slot while it waits (that would stall every other chat): first reserve the
  // chat's slot (per chat, per group for negative ids, and any 429 block) and wait until the
  // returned time, then reserve a global slot and wait for that (usually no wait at all).
  TimePoint reserve_chat(int64_t chat_id, TimePoint now);
  TimePoint reserve_global(TimePoint now);
  // A bot-wide slot only if one is free at `now` (nothing reserved ahead of it, no block):
  // for decoration (chat actions), which must not take a slot a message is waiting for.
  bool try_reserve_global(TimePoint now);
  // Time before which nothing may be sent to chat_id (429 blocks), or `now` if none.
  TimePoint blocked_until(int64_t chat_id, TimePoint now) const;
  // A 429 for chat_id: block it until `until`. When RateLimits::global_429_chats different
  // chats got a 429 within global_429_window, the limit hit is the bot-wide one: block every
  // chat. Returns true when every chat was blocked.
  bool block(int64_t chat_id, TimePoint until, TimePoint now);
  void block_all(TimePoint until);

 private:
  void prune(TimePoint now);
  TokenBucket& bucket(std::map<int64_t, TokenBucket>& m, int64_t chat, double rate, double burst);

  RateLimits limits_;
  mutable std::mutex mutex_;
  TokenBucket global_;                     // guarded by mutex_
  std::map<int64_t, TokenBucket> chats_;   // guarded by mutex_
  std::map<int64_t, TokenBucket> groups_;  // guarded by mutex_
  std::map<int64_t, TimePoint> blocked_;   // guarded by mutex_
  std::map<int64_t, TimePoint> refused_;   // chat -> time of its last 429; guarded by mutex_
  TimePoint global_blocked_{};             // guarded by mutex_
};

}  // namespace tgscribe::telegram
