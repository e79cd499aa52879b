#include "common/failpoint.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace tgscribe {
namespace {

struct Reset {
  ~Reset() { set_failpoints(""); }
};

TEST(Failpoints, OffByDefaultAndForUnknownNames) {
  Reset r;
  ASSERT_EQ(set_failpoints(""), "");
  EXPECT_NO_THROW(failpoint("worker.after_claim"));
  ASSERT_EQ(set_failpoints("other=error"), "");
  EXPECT_NO_THROW(failpoint("worker.after_claim"));
}

TEST(Failpoints, ErrorFiresOnTheNthHitForMHits) {
  Reset r;
  ASSERT_EQ(set_failpoints("p=error@2x3"), "");
  EXPECT_NO_THROW(failpoint("p"));                                  // 1
  for (int i = 0; i < 3; ++i) EXPECT_THROW(failpoint("p"), Error);  // 2, 3, 4
  EXPECT_NO_THROW(failpoint("p"));                                  // 5
}

TEST(Failpoints, XZeroFiresForEver) {
  Reset r;
  ASSERT_EQ(set_failpoints("p=error x0"), "failpoint 'p=error x0': expected exit|error[@N][xM]");
  ASSERT_EQ(set_failpoints("p=errorx0"), "");
  for (int i = 0; i < 20; ++i) EXPECT_THROW(failpoint("p"), Error);
}

TEST(Failpoints, ExitParsesAndKillsTheProcessWithItsCode) {
  Reset r;
  // "exit" contains an x: it must not be read as a repeat count.
  ASSERT_EQ(set_failpoints("a=exit,b=exit@3,c=exitx2"), "");
  EXPECT_EXIT(
      {
        set_failpoints("a=exit");
        failpoint("a");
      },
      ::testing::ExitedWithCode(kFailpointExitCode), "failpoint a: exiting");
}

TEST(Failpoints, MalformedSpecsAreRefusedWithTheReason) {
  Reset r;
  EXPECT_NE(set_failpoints("noequals"), "");
  EXPECT_NE(set_failpoints("p=crash"), "");
  EXPECT_NE(set_failpoints("p=exit@0"), "");
  EXPECT_NE(set_failpoints("p=exit@"), "");
  EXPECT_NE(set_failpoints("=exit"), "");
}

}  // namespace
}  // namespace tgscribe
