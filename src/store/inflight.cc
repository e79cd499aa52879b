#include "store/inflight.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "common/error.h"

namespace tgscribe::store {
namespace {

// The (registry, key) runs this thread is inside of, innermost last.
thread_local std::vector<std::pair<const InflightRegistry*, std::string>> t_runs;

}  // namespace

InflightRegistry::Outcome InflightRegistry::run(const std::string& key, const Work& work,
                                                const Cancelled& cancelled) {
  auto self = std::make_pair(static_cast<const InflightRegistry*>(this), key);
  if (std::find(t_runs.begin(), t_runs.end(), self) != t_runs.end()) return {work(), false};
  t_runs.push_back(self);
  struct Pop {
    ~Pop() { t_runs.pop_back(); }  // runs nest, so this one is the innermost
  } pop;
  return run_coalesced(key, work, cancelled);
}

MemoryInflightRegistry::MemoryInflightRegistry(std::chrono::milliseconds cancel_poll)
    : cancel_poll_(cancel_poll) {}

InflightRegistry::Outcome MemoryInflightRegistry::run_coalesced(const std::string& key,
                                                                const Work& work,
                                                                const Cancelled& cancelled) {
  std::unique_lock lock(mutex_);
  std::shared_ptr<Flight> flight;
  if (auto it = flights_.find(key); it != flights_.end()) {
    flight = it->second;
    ++flight->waiters;
    if (!wait(lock, key, flight, cancelled)) return {flight->result, true};
  } else {
    flight = std::make_shared<Flight>();
    flights_.emplace(key, flight);
  }
  lock.unlock();
  return {lead(key, flight, work), false};
}

bool MemoryInflightRegistry::wait(std::unique_lock<std::mutex>& lock, const std::string& key,
                                  const std::shared_ptr<Flight>& flight,
                                  const Cancelled& cancelled) {
  for (;;) {
    if (flight->state == Flight::State::kDone) {
      --flight->waiters;
      return false;
    }
    if (flight->state == Flight::State::kOrphaned) {
      // The leader failed: this waiter runs its own work; the others wait on that run.
      --flight->waiters;
      flight->state = Flight::State::kRunning;
      return true;
    }
    if (!cancelled) {
      changed_.wait(lock);
      continue;
    }
    // The check is the caller's code: not under the registry's lock.
    lock.unlock();
    const bool stop = cancelled();
    lock.lock();
    if (stop && flight->state != Flight::State::kDone) {
      // Leaving must not strand a flight nobody is left to take over.
      if (--flight->waiters == 0 && flight->state == Flight::State::kOrphaned) {
        if (auto it = flights_.find(key); it != flights_.end() && it->second == flight) {
          flights_.erase(it);
        }
      }
      throw Error(ErrorKind::kCancelled, "cancelled while waiting for an identical job");
    }
    if (flight->state == Flight::State::kRunning) changed_.wait_for(lock, cancel_poll_);
  }
}

transcript::Transcript MemoryInflightRegistry::lead(const std::string& key,
                                                    const std::shared_ptr<Flight>& flight,
                                                    const Work& work) {
  // result == null: the work failed, for the reason `why`.
  auto finish = [&](const transcript::Transcript* result, const char* why) {
    std::lock_guard lock(mutex_);
    if (!result && flight->waiters > 0) {
      spdlog::info("in-flight {}: the leading job failed ({}); one of {} waiting takes over", key,
                   why, flight->waiters);
      flight->state = Flight::State::kOrphaned;
    } else {
      // Callers from now on run the work again, and find the cache filled.
      if (auto it = flights_.find(key); it != flights_.end() && it->second == flight) {
        flights_.erase(it);
      }
      if (result) {
        flight->result = *result;
        flight->state = Flight::State::kDone;
      }
    }
    changed_.notify_all();
  };
  transcript::Transcript t;
  try {
    t = work();
  } catch (const std::exception& e) {
    finish(nullptr, e.what());
    throw;
  } catch (...) {
    finish(nullptr, "unknown error");
    throw;
  }
  finish(&t, "");
  return t;
}

int MemoryInflightRegistry::waiters(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = flights_.find(key);
  return it == flights_.end() ? 0 : it->second->waiters;
}

size_t MemoryInflightRegistry::in_flight() {
  std::lock_guard lock(mutex_);
  return flights_.size();
}

}  // namespace tgscribe::store
