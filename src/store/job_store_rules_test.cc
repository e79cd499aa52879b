#include "store/job_store_rules.h"

#include <gtest/gtest.h>

namespace tgscribe::store {
namespace {

TEST(DurationPercentiles, MedianAndP95OfWaitsAndRuns) {
  QueueStats s;
  std::vector<double> waits, runs;
  for (int i = 1; i <= 20; ++i) {
    waits.push_back(i * 100.0);  // unsorted on purpose below
    runs.push_back(i * 1000.0);
  }
  std::swap(waits.front(), waits.back());
  set_duration_percentiles(s, waits, runs);
  // Nearest rank: the 10th and the 19th of 20.
  EXPECT_DOUBLE_EQ(s.wait_p50_ms, 1000);
  EXPECT_DOUBLE_EQ(s.wait_p95_ms, 1900);
  EXPECT_DOUBLE_EQ(s.run_p50_ms, 10'000);
  EXPECT_DOUBLE_EQ(s.run_p95_ms, 19'000);
}

TEST(DurationPercentiles, NoFinishedJobsIsZero) {
  QueueStats s;
  s.wait_p50_ms = 5;  // whatever was there before
  set_duration_percentiles(s, {}, {});
  EXPECT_EQ(s.wait_p50_ms, 0);
  EXPECT_EQ(s.wait_p95_ms, 0);
  EXPECT_EQ(s.run_p50_ms, 0);
  EXPECT_EQ(s.run_p95_ms, 0);
}

}  // namespace
}  // namespace tgscribe::store
