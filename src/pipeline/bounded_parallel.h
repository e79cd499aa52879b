#pragma once
// Runs task(0..n-1) on at most `max_workers` threads (an engine's concurrency limit). The first
// failure stops new tasks from starting and is rethrown once the running ones have returned;
// `stopped()` tells running tasks to give up early.
#include <atomic>
#include <cstddef>
#include <functional>

namespace tgscribe::pipeline {

class BoundedParallel {
 public:
  explicit BoundedParallel(int max_workers) : max_workers_(max_workers < 1 ? 1 : max_workers) {}
  void run(size_t n, const std::function<void(size_t)>& task);
  bool stopped() const { return stopped_.load(); }

 private:
  int max_workers_;
  std::atomic<bool> stopped_{false};
};

}  // namespace tgscribe::pipeline
