#pragma once
// A shared budget of engine requests in sliding windows (requests per minute, billed audio
// per hour), with a FIFO of waiters so that no request is starved by later ones. The pacer
// (engine/pacer.h) asks it before every engine request. It lives in `common` because both its
// users (engine) and its shared backend (store/redis) sit above it and may not see each other.
//
// Implementations: MemoryRateBudget (one process), store::RedisRateBudget (all instances on
// one Redis); one typed suite (store/rate_budget_test.cc) runs on both.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace tgscribe {

// One limit: at most `limit` units within any `length` (0 = no limit).
struct RateWindow {
  int64_t limit = 0;
  std::chrono::milliseconds length{60'000};
};

// One request asking for its share. `windows` and `costs` are aligned: costs[i] units of
// windows[i] (the pacer uses {1 request per minute, billed audio ms per hour}).
struct RateAsk {
  std::string key;  // the budget's name, e.g. the engine "groq"
  // The request's place in line: the same ticket asking again (later, or from the next claim
  // of its job) is the same waiter. Order among waiters is `order_ms` (the job's admission),
  // then the ticket.
  std::string ticket;
  int64_t order_ms = 0;
  std::vector<RateWindow> windows;
  std::vector<int64_t> costs;
};

struct RateGrant {
  bool granted = false;
  // Not granted: how long until it would be, counting the waiters ahead (an estimate when the
  // limits change meanwhile); the caller asks again by then, and at least every few seconds,
  // or its place in the line lapses.
  std::chrono::milliseconds wait{0};
};

class RateBudget {
 public:
  virtual ~RateBudget() = default;
  // Grants the ask when the line's schedule reaches it by `now_ms` (unix ms) and records its
  // costs (the waiter leaves the line); else queues it (or keeps its place) and says how long.
  // A granted ticket asking again is a new request.
  virtual RateGrant try_acquire(const RateAsk& ask, int64_t now_ms) = 0;
  // The waiter gives up (cancelled).
  virtual void leave(const std::string& key, const std::string& ticket) = 0;
  // The waiter goes away until `until_ms` (its job waits in the queue) but keeps its place:
  // it is not granted before then, those behind it are scheduled after it, and its place
  // lapses only kStaleMs after `until_ms`.
  virtual void hold(const std::string& key, const std::string& ticket, int64_t until_ms) = 0;
  // Nothing is granted for `key` before `until_ms` (a 429's Retry-After, a spent budget the
  // server reported). Never moves an earlier block later than asked, nor a later one earlier.
  virtual void block_until(const std::string& key, int64_t until_ms) = 0;
  // The server reported `remaining` units of dimension `index` until `until_ms`: asks that
  // need more wait for `until_ms`; grants count down from it.
  virtual void learn(const std::string& key, size_t index, int64_t remaining, int64_t until_ms) = 0;
  // When an ask like this one, put at the end of the line now, would be granted (ETAs).
  virtual std::chrono::milliseconds wait_estimate(const RateAsk& ask, int64_t now_ms) = 0;
  // How long a waiter may go without asking before its place lapses (a crashed process).
  static constexpr int64_t kStaleMs = 10'000;
};

// The schedule both backends compute (the Redis one in Lua, the same steps): exposed for
// the memory backend and its tests.
namespace rate_schedule {
struct Entry {
  int64_t at_ms;
  int64_t cost;
};
// Earliest time >= from_ms at which `cost` fits `window` given the recorded `entries`
// (sorted by time); a cost over the limit is treated as the whole limit.
int64_t fit_time(const std::vector<Entry>& entries, const RateWindow& window, int64_t cost,
                 int64_t from_ms);
}  // namespace rate_schedule

class MemoryRateBudget : public RateBudget {
 public:
  RateGrant try_acquire(const RateAsk& ask, int64_t now_ms) override;
  void leave(const std::string& key, const std::string& ticket) override;
  void hold(const std::string& key, const std::string& ticket, int64_t until_ms) override;
  void block_until(const std::string& key, int64_t until_ms) override;
  void learn(const std::string& key, size_t index, int64_t remaining, int64_t until_ms) override;
  std::chrono::milliseconds wait_estimate(const RateAsk& ask, int64_t now_ms) override;

 private:
  struct Waiter {
    std::string ticket;
    int64_t order_ms;
    int64_t seen_ms;
    std::vector<RateWindow> windows;
    std::vector<int64_t> costs;
    int64_t held_until_ms = 0;  // away (its job in the queue) until then, place kept
  };
  struct Learned {
    int64_t remaining = 0;
    int64_t until_ms = 0;
  };
  struct State {
    std::vector<std::vector<rate_schedule::Entry>> logs;  // per dimension, by time
    std::vector<Waiter> line;                             // by (order_ms, ticket)
    std::map<size_t, Learned> learned;
    int64_t blocked_until_ms = 0;
  };
  // Simulates the line up to and including `upto` (a waiter or an ask not in the line yet),
  // returning when it would be granted. Assumes mutex_ is held.
  int64_t schedule_locked(State& s, const Waiter& upto, bool in_line, int64_t now_ms);
  void prune_locked(State& s, int64_t now_ms);

  std::mutex mutex_;
  std::map<std::string, State> states_;  // guarded by mutex_
};

}  // namespace tgscribe
