#include "pipeline/bounded_parallel.h"

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace tgscribe::pipeline {

void BoundedParallel::run(size_t n, const std::function<void(size_t)>& task) {
  std::atomic<size_t> next{0};
  std::mutex mutex;
  std::exception_ptr first_error;  // guarded by mutex
  auto worker = [&] {
    while (!stopped_) {
      size_t i = next++;
      if (i >= n) return;
      try {
        task(i);
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!first_error) first_error = std::current_exception();
        stopped_ = true;
      }
    }
  };
  size_t workers = std::min<size_t>(n, static_cast<size_t>(max_workers_));
  if (workers <= 1) {
    worker();  // no thread for the common single-piece case
  } else {
    std::vector<std::thread> threads;
    for (size_t w = 0; w < workers; ++w) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
  }
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace tgscribe::pipeline
