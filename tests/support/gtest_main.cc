#include <gtest/gtest.h>
#include <signal.h>

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);  // a fake server's peer may hang up mid-write
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
