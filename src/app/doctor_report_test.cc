#include "app/doctor_report.h"

#include <gtest/gtest.h>

#include "common/redact.h"

namespace tgscribe::app::doctor {
namespace {

TEST(DoctorReport, LinesLineUpStatusThenNameThenDetail) {
  EXPECT_EQ(format_line(ok("token", "@my_bot (My Bot)")), "ok    token: @my_bot (My Bot)");
  EXPECT_EQ(format_line(warn("webhook", "x")), "warn  webhook: x");
  EXPECT_EQ(format_line(fail("engine groq", "key refused")), "FAIL  engine groq: key refused");
  EXPECT_EQ(format_line(skip("webhook", "needs a token")), "skip  webhook: needs a token");
}

TEST(DoctorReport, ADetailStaysOnOneLineAndSecretsAreRedacted) {
  register_secret("gsk_doctor_report_secret_42");
  std::string line =
      format_line(fail("engine groq", "first\nsecond gsk_doctor_report_secret_42\r\nthird"));
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  EXPECT_EQ(line.find('\r'), std::string::npos) << line;
  EXPECT_EQ(line.find("gsk_doctor_report_secret_42"), std::string::npos) << line;
  EXPECT_NE(line.find("third"), std::string::npos) << line;
  // Bot tokens in URLs are scrubbed by pattern even when never registered.
  line = format_line(
      fail("token", "https://api.telegram.org/bot123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ0/getMe"));
  EXPECT_EQ(line.find("ABCDEFGHIJKLMNOPQRSTUVWXYZ0"), std::string::npos) << line;
}

TEST(DoctorReport, ExitCodeZeroWhenNothingFailed) {
  EXPECT_EQ(exit_code({}), 0);
  EXPECT_EQ(exit_code({ok("a", ""), warn("b", ""), skip("c", "")}), 0);
}

TEST(DoctorReport, ExitCodeOneForAFailedCheckTwoForAConfigurationError) {
  EXPECT_EQ(exit_code({ok("a", ""), fail("token", "refused")}), 1);
  EXPECT_EQ(exit_code({config_fail("config", "CACHE_TYPE: bad")}), 2);
  // A configuration error wins, wherever it is: fixing it comes first.
  EXPECT_EQ(exit_code({fail("redis", "down"), config_fail("telegram api", "x"), fail("b", "")}), 2);
}

TEST(DoctorReport, SummaryCountsFailuresWarningsAndSkips) {
  EXPECT_EQ(summary_line({ok("a", ""), ok("b", "")}), "doctor: all 2 checks passed");
  EXPECT_EQ(summary_line({ok("a", ""), warn("b", ""), skip("c", "")}),
            "doctor: all 2 checks passed, 1 warning, 1 skipped");
  EXPECT_EQ(summary_line({fail("a", ""), warn("b", ""), warn("c", ""), ok("d", "")}),
            "doctor: 1 of 4 checks failed, 2 warnings");
}

}  // namespace
}  // namespace tgscribe::app::doctor
