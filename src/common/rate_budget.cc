#include "common/rate_budget.h"

#include <algorithm>

namespace tgscribe {

namespace rate_schedule {

int64_t fit_time(const std::vector<Entry>& entries, const RateWindow& window, int64_t cost,
                 int64_t from_ms) {
  if (window.limit <= 0) return from_ms;
  const int64_t length = window.length.count();
  const int64_t need = std::min(std::max<int64_t>(cost, 0), window.limit);
  // Entries still inside the window at `from_ms`; each leaves it `length` after it was made.
  int64_t used = 0;
  for (const auto& e : entries) {
    if (e.at_ms > from_ms - length) used += e.cost;
  }
  if (used + need <= window.limit) return from_ms;
  for (const auto& e : entries) {
    if (e.at_ms <= from_ms - length) continue;
    used -= e.cost;
    if (used + need <= window.limit) return std::max(from_ms, e.at_ms + length);
  }
  return from_ms;  // unreachable: with every entry gone, need <= limit
}

}  // namespace rate_schedule

void MemoryRateBudget::prune_locked(State& s, int64_t now_ms) {
  std::erase_if(s.line, [now_ms](const Waiter& w) {
    return std::max(w.seen_ms, w.held_until_ms) < now_ms - RateBudget::kStaleMs;
  });
  // Entries older than the longest window any waiter named cannot matter any more.
  int64_t longest = 3'600'000;
  for (const auto& w : s.line) {
    for (const auto& win : w.windows) longest = std::max<int64_t>(longest, win.length.count());
  }
  for (auto& log : s.logs) {
    std::erase_if(log, [&](const rate_schedule::Entry& e) { return e.at_ms <= now_ms - longest; });
  }
  std::erase_if(s.learned, [&](const auto& l) { return l.second.until_ms <= now_ms; });
}

int64_t MemoryRateBudget::schedule_locked(State& s, const Waiter& upto, bool in_line,
                                          int64_t now_ms) {
  auto logs = s.logs;
  auto learned = s.learned;
  int64_t t = std::max(now_ms, s.blocked_until_ms);
  auto place = [&](const Waiter& w) {
    int64_t fit = std::max(t, w.held_until_ms);
    for (size_t i = 0; i < w.windows.size() && i < w.costs.size(); ++i) {
      if (logs.size() <= i) logs.resize(i + 1);
      fit = rate_schedule::fit_time(logs[i], w.windows[i], w.costs[i], fit);
    }
    for (const auto& [i, l] : learned) {
      int64_t cost = i < w.costs.size() ? w.costs[i] : 0;
      if (fit < l.until_ms && cost > l.remaining) fit = l.until_ms;
    }
    for (size_t i = 0; i < w.costs.size(); ++i) {
      if (logs.size() <= i) logs.resize(i + 1);
      logs[i].push_back({fit, w.costs[i]});
    }
    for (auto& [i, l] : learned) {
      if (fit < l.until_ms && i < w.costs.size()) l.remaining -= w.costs[i];
    }
    t = fit;  // first come, first served: nobody is scheduled before those ahead
    return fit;
  };
  for (const auto& w : s.line) {
    int64_t fit = place(w);
    if (in_line && w.ticket == upto.ticket) return fit;
  }
  return place(upto);
}

RateGrant MemoryRateBudget::try_acquire(const RateAsk& ask, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  State& s = states_[ask.key];
  prune_locked(s, now_ms);
  auto before = [](const Waiter& w, int64_t order, const std::string& ticket) {
    return w.order_ms < order || (w.order_ms == order && w.ticket < ticket);
  };
  auto it = std::find_if(s.line.begin(), s.line.end(),
                         [&](const Waiter& w) { return w.ticket == ask.ticket; });
  if (it == s.line.end()) {
    auto pos = std::find_if(s.line.begin(), s.line.end(),
                            [&](const Waiter& w) { return !before(w, ask.order_ms, ask.ticket); });
    it = s.line.insert(pos, Waiter{ask.ticket, ask.order_ms, now_ms, ask.windows, ask.costs});
  } else {
    it->seen_ms = now_ms;
    it->held_until_ms = 0;  // it is back
    it->windows = ask.windows;
    it->costs = ask.costs;
  }
  int64_t at = schedule_locked(s, *it, true, now_ms);
  if (at > now_ms) return {false, std::chrono::milliseconds(at - now_ms)};
  // Everyone ahead fits by now too (the schedule placed them first), so granting this one
  // now delays none of them.
  for (size_t i = 0; i < ask.costs.size(); ++i) {
    if (s.logs.size() <= i) s.logs.resize(i + 1);
    auto& log = s.logs[i];
    rate_schedule::Entry e{now_ms, ask.costs[i]};
    log.insert(std::upper_bound(log.begin(), log.end(), e,
                                [](const auto& a, const auto& b) { return a.at_ms < b.at_ms; }),
               e);
  }
  for (auto& [i, l] : s.learned) {
    if (i < ask.costs.size()) l.remaining -= ask.costs[i];
  }
  s.line.erase(it);
  return {true, std::chrono::milliseconds(0)};
}

void MemoryRateBudget::leave(const std::string& key, const std::string& ticket) {
  std::lock_guard lock(mutex_);
  auto f = states_.find(key);
  if (f == states_.end()) return;
  std::erase_if(f->second.line, [&](const Waiter& w) { return w.ticket == ticket; });
}

void MemoryRateBudget::hold(const std::string& key, const std::string& ticket, int64_t until_ms) {
  std::lock_guard lock(mutex_);
  auto f = states_.find(key);
  if (f == states_.end()) return;
  for (auto& w : f->second.line) {
    if (w.ticket == ticket) w.held_until_ms = until_ms;
  }
}

void MemoryRateBudget::block_until(const std::string& key, int64_t until_ms) {
  std::lock_guard lock(mutex_);
  State& s = states_[key];
  s.blocked_until_ms = std::max(s.blocked_until_ms, until_ms);
}

void MemoryRateBudget::learn(const std::string& key, size_t index, int64_t remaining,
                             int64_t until_ms) {
  std::lock_guard lock(mutex_);
  states_[key].learned[index] = Learned{std::max<int64_t>(0, remaining), until_ms};
}

std::chrono::milliseconds MemoryRateBudget::wait_estimate(const RateAsk& ask, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  State& s = states_[ask.key];
  prune_locked(s, now_ms);
  Waiter w{ask.ticket, ask.order_ms, now_ms, ask.windows, ask.costs};
  return std::chrono::milliseconds(
      std::max<int64_t>(0, schedule_locked(s, w, false, now_ms) - now_ms));
}

}  // namespace tgscribe
