#pragma once
// A real redis-server for tests: started on a free 127.0.0.1 port in a temporary directory
// with the append-only file on, stopped on destruction, restartable on the same directory and
// port (to test that accepted jobs survive a Redis restart).
//
//   auto why = RedisServer::unavailable_reason();
//   if (why) GTEST_SKIP() << *why;
//   RedisServer server;            // throws std::runtime_error when it does not come up
//   auto conn = RedisConnection::open(server.url());
#include <memory>
#include <optional>
#include <string>

#include "support/test_util.h"

namespace tgscribe::store::testing {

class RedisServer {
 public:
  struct Options {
    std::string password;                  // non-empty: --requirepass
    std::string appendfsync = "everysec";  // "always" makes even SIGKILL lose nothing
  };

  // Why redis-server cannot be used here (not installed), or nullopt.
  static std::optional<std::string> unavailable_reason();

  RedisServer();
  explicit RedisServer(Options options);
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const { return port_; }
  // redis://[:password@]127.0.0.1:port/db
  std::string url(int db = 0) const;
  const std::filesystem::path& dir() const { return dir_.path(); }

  void stop();       // SIGTERM: Redis flushes the append-only file and exits
  void kill_hard();  // SIGKILL: whatever was not fsynced is lost
  void start();      // on the same port and directory; waits until PING answers
  void restart() {
    stop();
    start();
  }
  bool running() const { return process_ != nullptr; }

 private:
  void wait_ready();

  Options options_;
  tgscribe::testing::TempDir dir_;
  int port_ = 0;
  std::unique_ptr<tgscribe::testing::ChildProcess> process_;
};

// One server per test process, started on first use and shared by tests that need no
// restarts (each keeps to its own key prefix). nullptr with *skip_reason when redis-server
// is not installed or does not start.
RedisServer* shared_redis_server(std::string* skip_reason);

// URL of a Redis that tests may share by key prefix: $TGSCRIBE_TEST_REDIS_URL when set and
// answering (./scripts/test can start one server for every test process, saving a server
// start per test), else shared_redis_server()'s. nullopt with *skip_reason when neither.
std::optional<std::string> shared_redis_url(std::string* skip_reason);

}  // namespace tgscribe::store::testing
