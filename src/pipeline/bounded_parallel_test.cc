#include "pipeline/bounded_parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace tgscribe::pipeline {
namespace {

TEST(BoundedParallel, RunsEveryTaskWithinTheLimit) {
  std::atomic<int> running{0}, peak{0};
  std::vector<std::atomic<int>> runs(20);
  BoundedParallel p(3);
  p.run(runs.size(), [&](size_t i) {
    int now = ++running;
    int seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ++runs[i];
    --running;
  });
  for (auto& r : runs) EXPECT_EQ(r.load(), 1);
  EXPECT_LE(peak.load(), 3);
  EXPECT_GE(peak.load(), 2);  // it did run in parallel
}

TEST(BoundedParallel, FirstFailureStopsNewTasksAndIsRethrown) {
  std::atomic<int> started{0};
  BoundedParallel p(1);  // sequential: the order is known
  EXPECT_THROW(p.run(10,
                     [&](size_t i) {
                       ++started;
                       if (i == 2) throw std::runtime_error("chunk 2 failed");
                     }),
               std::runtime_error);
  EXPECT_EQ(started.load(), 3);
  EXPECT_TRUE(p.stopped());
}

}  // namespace
}  // namespace tgscribe::pipeline
