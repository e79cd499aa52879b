// Tests of app/signals: SIGTERM/SIGINT as a graceful stop, a second one and the watchdog as
// the hard exit.
#include "app/signals.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <stop_token>

#include "common/log.h"
#include "support/test_util.h"

namespace tgscribe::app {
namespace {

using namespace std::chrono_literals;

class SignalsDeathTest : public ::testing::Test {
 protected:
  // The child re-executes this binary instead of forking a process that has threads.
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST(ShutdownSignals, SigtermRequestsAGracefulStop) {
  ShutdownSignals signals;
  std::atomic<int> callbacks{0};
  std::stop_callback on_stop(signals.stop_token(), [&] { callbacks++; });
  EXPECT_FALSE(signals.stop_requested());
  kill(getpid(), SIGTERM);
  ASSERT_TRUE(signals.wait_for(20s));
  EXPECT_EQ(signals.stop_signal(), SIGTERM);
  EXPECT_EQ(callbacks.load(), 1);
}

TEST(ShutdownSignals, SigintRequestsAGracefulStop) {
  ShutdownSignals signals;
  kill(getpid(), SIGINT);
  signals.wait();
  EXPECT_EQ(signals.stop_signal(), SIGINT);
}

TEST(ShutdownSignals, SighupCallsTheReopenCallbackOnly) {
  std::atomic<int> reopened{0};
  ShutdownSignals signals([&] { reopened++; });
  kill(getpid(), SIGHUP);
  kill(getpid(), SIGHUP);
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (reopened < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(reopened.load(), 2);
  EXPECT_FALSE(signals.stop_requested());
}

// The use SIGHUP exists for: logrotate renames the file, SIGHUP makes the next lines go to a
// fresh file at the configured path.
TEST(ShutdownSignals, SighupReopensTheLogFile) {
  namespace fs = std::filesystem;
  tgscribe::testing::TempDir dir;
  fs::path log = dir / "tgscribe.log";
  init_logging("info", log.string());
  std::atomic<int> reopened{0};
  {
    ShutdownSignals signals([&] {
      init_logging("info", log.string());
      reopened++;
    });
    spdlog::info("line before rotation");
    fs::rename(log, dir / "tgscribe.log.1");
    kill(getpid(), SIGHUP);
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (reopened < 1 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(10ms);
    }
    ASSERT_EQ(reopened.load(), 1);
    spdlog::info("line after rotation");
  }
  init_logging("info");  // back to stderr for the other tests
  std::string rotated = tgscribe::testing::read_file(dir / "tgscribe.log.1");
  std::string fresh = tgscribe::testing::read_file(log);
  EXPECT_NE(rotated.find("line before rotation"), std::string::npos) << rotated;
  EXPECT_EQ(rotated.find("line after rotation"), std::string::npos) << rotated;
  EXPECT_NE(fresh.find("line after rotation"), std::string::npos) << fresh;
}

TEST(ShutdownSignals, RequestStopWithoutASignal) {
  ShutdownSignals signals;
  signals.request_stop();
  EXPECT_TRUE(signals.wait_for(1s));
  EXPECT_EQ(signals.stop_signal(), 0);
}

TEST(ShutdownSignals, OnlyOneInstanceAtATime) {
  ShutdownSignals signals;
  EXPECT_THROW(ShutdownSignals second, std::logic_error);
}

TEST(ShutdownSignals, RestoresThePreviousDispositions) {
  struct sigaction before {};
  sigaction(SIGTERM, nullptr, &before);
  {
    ShutdownSignals signals;
    struct sigaction during {};
    sigaction(SIGTERM, nullptr, &during);
    EXPECT_NE(during.sa_handler, before.sa_handler);
  }
  struct sigaction after {};
  sigaction(SIGTERM, nullptr, &after);
  EXPECT_EQ(after.sa_handler, before.sa_handler);
  ShutdownSignals again;  // and it can be installed again
}

TEST_F(SignalsDeathTest, FirstSigtermLetsTheProcessFinishAndExitZero) {
  EXPECT_EXIT(
      {
        ShutdownSignals signals;
        kill(getpid(), SIGTERM);
        bool graceful = signals.wait_for(20s) && signals.stop_signal() == SIGTERM;
        _exit(graceful ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST_F(SignalsDeathTest, SecondSigtermExitsAtOnceWith143) {
  EXPECT_EXIT(
      {
        ShutdownSignals signals;
        kill(getpid(), SIGTERM);
        signals.wait_for(20s);
        kill(getpid(), SIGTERM);  // the graceful path is "stuck" below
        std::this_thread::sleep_for(20s);
        _exit(1);
      },
      ::testing::ExitedWithCode(143), "");
}

TEST_F(SignalsDeathTest, SecondSigintExitsWith130) {
  EXPECT_EXIT(
      {
        ShutdownSignals signals;
        kill(getpid(), SIGINT);
        signals.wait_for(20s);
        kill(getpid(), SIGINT);
        std::this_thread::sleep_for(20s);
        _exit(1);
      },
      ::testing::ExitedWithCode(130), "");
}

TEST_F(SignalsDeathTest, SigpipeDoesNotKill) {
  EXPECT_EXIT(
      {
        ShutdownSignals signals;
        kill(getpid(), SIGPIPE);
        _exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace tgscribe::app
