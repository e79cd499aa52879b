#include "jobs/status_reporter.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/testing/manual_clock.h"

namespace tgscribe::jobs {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

struct Recorder {
  std::vector<std::string> edits;
  std::vector<int64_t> at_ms;
  tgscribe::testing::ManualClock* clock;
  std::function<void(const std::string&)> fn() {
    return [this](const std::string& t) {
      edits.push_back(t);
      at_ms.push_back(clock->unix_ms());
    };
  }
};

TEST(StatusReporter, DropsEditsInsideTheIntervalAndIdenticalTexts) {
  tgscribe::testing::ManualClock clock;
  Recorder r{.clock = &clock};
  StatusReporter s(clock, seconds(3), r.fn(), "queued");
  EXPECT_FALSE(s.update("queued"));       // unchanged
  EXPECT_FALSE(s.update("downloading"));  // too soon after the status reply
  clock.advance(seconds(3));
  EXPECT_TRUE(s.update("downloading"));
  clock.advance(seconds(1));
  EXPECT_FALSE(s.update("transcribing 10%"));
  clock.advance(seconds(2));
  EXPECT_TRUE(s.update("transcribing 40%"));
  EXPECT_FALSE(s.update("transcribing 40%"));
  EXPECT_EQ(r.edits, (std::vector<std::string>{"downloading", "transcribing 40%"}));
}

TEST(StatusReporter, FinalTextWaitsOutTheIntervalInsteadOfBeingDropped) {
  tgscribe::testing::ManualClock clock;
  Recorder r{.clock = &clock};
  StatusReporter s(clock, seconds(3), r.fn(), "queued");
  clock.advance(seconds(3));
  ASSERT_TRUE(s.update("downloading"));
  clock.advance(milliseconds(500));
  s.finish("done");
  ASSERT_EQ(r.edits.size(), 2u);
  EXPECT_EQ(r.edits.back(), "done");
  EXPECT_GE(r.at_ms[1] - r.at_ms[0], 3000);
  s.finish("done");  // idempotent
  EXPECT_EQ(s.edits_sent(), 2);
}

TEST(StatusReporter, FailedEditIsNotRetriedAtOnce) {
  tgscribe::testing::ManualClock clock;
  int calls = 0;
  StatusReporter s(clock, seconds(3), [&](const std::string&) {
    ++calls;
    throw std::runtime_error("429");
  });
  EXPECT_FALSE(s.update("a"));
  EXPECT_FALSE(s.update("b"));
  EXPECT_EQ(calls, 1);
  clock.advance(seconds(3));
  EXPECT_FALSE(s.update("b"));
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace tgscribe::jobs
