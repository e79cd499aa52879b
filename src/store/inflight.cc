#include "store/inflight.h"

namespace tgscribe::store {

InflightRegistry::Outcome MemoryInflightRegistry::run(const std::string& key, const Work& work) {
  std::promise<transcript::Transcript> promise;
  {
    std::unique_lock lock(mutex_);
    auto it = running_.find(key);
    if (it != running_.end()) {
      auto future = it->second;
      lock.unlock();
      return {future.get(), true};  // rethrows the winner's exception
    }
    running_.emplace(key, promise.get_future().share());
  }
  // The winner: whatever happens, waiters are released and the key is freed.
  try {
    transcript::Transcript t = work();
    promise.set_value(t);
    std::lock_guard lock(mutex_);
    running_.erase(key);
    return {std::move(t), false};
  } catch (...) {
    promise.set_exception(std::current_exception());
    std::lock_guard lock(mutex_);
    running_.erase(key);
    throw;
  }
}

size_t MemoryInflightRegistry::in_flight() {
  std::lock_guard lock(mutex_);
  return running_.size();
}

}  // namespace tgscribe::store
