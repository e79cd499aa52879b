// The figures of /usage and /stats as people read them.
#include "bot/usage_report.h"

#include <gtest/gtest.h>

namespace tgscribe::bot {
namespace {

TEST(UsageReport, MinutesKeepTwoDecimalsWhileSmall) {
  EXPECT_EQ(format_minutes(0), "0.00");
  EXPECT_EQ(format_minutes(3), "0.05");
  EXPECT_EQ(format_minutes(195), "3.25");
  EXPECT_EQ(format_minutes(2550), "42.5");
  EXPECT_EQ(format_minutes(-4), "0.00");
}

TEST(UsageReport, AudioInSecondsThenMinutes) {
  EXPECT_EQ(format_audio(4.56), "4.6 s");
  EXPECT_EQ(format_audio(119.9), "119.9 s");
  EXPECT_EQ(format_audio(150), "2.5 min");
  EXPECT_EQ(format_audio(7200), "120.0 min");
}

TEST(UsageReport, DollarsWithCentFractionsUnderADollar) {
  EXPECT_EQ(format_usd(0), "0.0000");
  EXPECT_EQ(format_usd(10.0 / 3600 * 0.04), "0.0001");
  EXPECT_EQ(format_usd(0.36), "0.3600");
  EXPECT_EQ(format_usd(12.345), "12.35");
}

}  // namespace
}  // namespace tgscribe::bot
