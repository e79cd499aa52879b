#include "store/inflight.h"

namespace tgscribe::store {

InflightRegistry::Outcome MemoryInflightRegistry::run(const std::string& key, const Work& work) {
  std::promise<transcript::Transcript> promise;
  {
    std::unique_lock lock(mutex_);
    auto it = running_.find(key);
    if (it != running_.end()) {
      auto future = it->second.result;
      ++it->second.waiters;
      lock.unlock();
      return {future.get(), true};  // rethrows the winner's exception
    }
    running_.emplace(key, Flight{promise.get_future().share(), 0});
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

int MemoryInflightRegistry::waiters(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = running_.find(key);
  return it == running_.end() ? 0 : it->second.waiters;
}

size_t MemoryInflightRegistry::in_flight() {
  std::lock_guard lock(mutex_);
  return running_.size();
}

}  // namespace tgscribe::store
