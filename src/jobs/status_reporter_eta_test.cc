#include "jobs/status_reporter_eta.h"

#include <gtest/gtest.h>

namespace tgscribe::jobs {
namespace {

using i18n::Lang;

TEST(StatusEtaTest, NothingToMeasureGivesNoEstimate) {
  EXPECT_FALSE(estimate_ready_s({.ahead = 7, .workers = 2}));
  EXPECT_EQ(eta_line(Lang::kEn, std::nullopt), "");
}

TEST(StatusEtaTest, QueueAheadRunsWorkersAtATime) {
  // 5 ahead on 2 workers: two rounds of them (the 5th shares this job's round), then this job.
  auto s = estimate_ready_s({.ahead = 5, .workers = 2, .typical_job_s = 30});
  ASSERT_TRUE(s);
  EXPECT_DOUBLE_EQ(*s, 2 * 30 + 30);
  // Nobody ahead: just its own time.
  EXPECT_DOUBLE_EQ(*estimate_ready_s({.ahead = 0, .workers = 2, .typical_job_s = 30}), 30);
}

TEST(StatusEtaTest, PacingWaitComesFirst) {
  auto s = estimate_ready_s({.ahead = 0, .workers = 1, .typical_job_s = 12, .pacing_wait_s = 3600});
  ASSERT_TRUE(s);
  EXPECT_DOUBLE_EQ(*s, 3612);
  // Without any finished job yet, the pacing wait alone is still worth telling.
  EXPECT_DOUBLE_EQ(*estimate_ready_s({.pacing_wait_s = 90}), 90);
}

TEST(StatusEtaTest, ARunningJobUsesItsOwnPace) {
  EXPECT_DOUBLE_EQ(*estimate_ready_s({.this_job_left_s = 42}), 42);
}

TEST(StatusEtaTest, WaitsAreRoundedUpInBothLanguages) {
  EXPECT_EQ(format_wait(Lang::kEn, 20), "less than a minute");
  EXPECT_EQ(format_wait(Lang::kEn, 61), "2 min");
  EXPECT_EQ(format_wait(Lang::kEn, 3601), "1 h 1 min");
  EXPECT_EQ(format_wait(Lang::kEn, 7200), "2 h");
  EXPECT_EQ(format_wait(Lang::kId, 20), "kurang dari semenit");
  EXPECT_EQ(format_wait(Lang::kId, 3601), "1 jam 1 menit");
  EXPECT_EQ(eta_line(Lang::kEn, 3601.0), "🕒 Ready in about 1 h 1 min.");
  EXPECT_EQ(eta_line(Lang::kId, 150.0), "🕒 Siap dalam sekitar 3 menit.");
}

}  // namespace
}  // namespace tgscribe::jobs
