#include "store/redis/redis_connection.h"

#include <gtest/gtest.h>

#include <thread>

#include "common/error.h"
#include "store/testing/redis_server.h"
#include "support/test_util.h"

namespace tgscribe::store {
namespace {

using testing::RedisServer;

#define SKIP_WITHOUT_REDIS()                                                \
  do {                                                                      \
    if (auto why = RedisServer::unavailable_reason()) GTEST_SKIP() << *why; \
  } while (0)

TEST(RedisConnectionTest, UnreachableServerIsAClearErrorNamingHostAndPort) {
  int port = tgscribe::testing::free_port();  // nothing listens there
  std::string url = "redis://:topsecretpw@127.0.0.1:" + std::to_string(port) + "/0";
  try {
    RedisConnection::open(url);
    FAIL() << "connected to a closed port";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_EQ(e.kind(), ErrorKind::kNetwork);
    EXPECT_NE(msg.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << msg;
    EXPECT_EQ(msg.find("topsecretpw"), std::string::npos) << msg;
  }
}

TEST(RedisConnectionTest, PasswordAndDbIndexFromTheUrl) {
  SKIP_WITHOUT_REDIS();
  RedisServer server(RedisServer::Options{.password = "correct-horse"});
  auto db3 = RedisConnection::open(server.url(3));
  auto db0 = RedisConnection::open(server.url(0));
  db3->command({"SET", "k", "in-db-3"});
  EXPECT_EQ(db3->command({"GET", "k"}).as_string(), "in-db-3");
  EXPECT_TRUE(db0->command({"GET", "k"}).is_nil()) << "SELECT was not applied";
  // Prove the connection really is on db 3 as Redis sees it.
  std::string info = db3->command({"CLIENT", "INFO"}).as_string();
  EXPECT_NE(info.find("db=3"), std::string::npos) << info;
}

TEST(RedisConnectionTest, WrongOrMissingPasswordIsAnAuthErrorWithoutThePassword) {
  SKIP_WITHOUT_REDIS();
  RedisServer server(RedisServer::Options{.password = "correct-horse"});
  std::string base = "127.0.0.1:" + std::to_string(server.port());
  try {
    RedisConnection::open("redis://:wrong-battery@" + base + "/0");
    FAIL() << "wrong password accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kAuth);
    EXPECT_EQ(std::string(e.what()).find("wrong-battery"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(base), std::string::npos) << e.what();
  }
  try {
    RedisConnection::open("redis://" + base + "/0");
    FAIL() << "no password accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kAuth);
    EXPECT_NE(std::string(e.what()).find("password"), std::string::npos) << e.what();
  }
}

TEST(RedisConnectionTest, ScriptsRunViaEvalshaAndSurviveAScriptFlush) {
  SKIP_WITHOUT_REDIS();
  RedisServer server;
  auto conn = RedisConnection::open(server.url());
  RedisScript script("return tonumber(ARGV[1]) + redis.call('INCR', KEYS[1])");
  EXPECT_EQ(conn->eval(script, {"n"}, {"10"}).as_integer(), 11);
  EXPECT_EQ(conn->command({"SCRIPT", "EXISTS", script.sha1()}).elements.at(0).as_integer(), 1)
      << "the script should be cached server-side under our SHA-1";
  conn->command({"SCRIPT", "FLUSH"});
  EXPECT_EQ(conn->eval(script, {"n"}, {"10"}).as_integer(), 12);  // NOSCRIPT -> EVAL
}

TEST(RedisConnectionTest, ReconnectsAfterARestartAndKeepsAuthAndDb) {
  SKIP_WITHOUT_REDIS();
  RedisServer server(RedisServer::Options{.password = "pw-restart"});
  auto conn = RedisConnection::open(server.url(5));
  conn->command({"SET", "survivor", "yes"});
  server.restart();
  // The old socket is dead; the command reconnects (AUTH + SELECT 5) and is re-sent.
  EXPECT_EQ(conn->command({"GET", "survivor"}).as_string(), "yes");
  EXPECT_EQ(conn->connections(), 2);
}

TEST(RedisConnectionTest, WaitsForRedisToComeBack) {
  SKIP_WITHOUT_REDIS();
  RedisServer server;
  auto conn = RedisConnection::open(server.url(),
                                    RedisOptions{.reconnect_deadline = std::chrono::seconds(15)});
  conn->command({"SET", "k", "v"});
  server.stop();
  EXPECT_FALSE(conn->ping());
  std::thread starter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    server.start();
  });
  EXPECT_EQ(conn->command({"GET", "k"}).as_string(), "v");
  starter.join();
  EXPECT_TRUE(conn->ping());
}

TEST(RedisConnectionTest, GivesUpAfterTheDeadlineWithANetworkError) {
  SKIP_WITHOUT_REDIS();
  RedisServer server;
  auto conn = RedisConnection::open(
      server.url(), RedisOptions{.reconnect_deadline = std::chrono::milliseconds(200)});
  server.stop();
  try {
    conn->command({"GET", "k"});
    FAIL() << "no error while Redis is down";
  } catch (const Error& e) {
    EXPECT_TRUE(e.retryable()) << e.what();
    EXPECT_NE(std::string(e.what()).find(std::to_string(server.port())), std::string::npos);
  }
}

TEST(RedisConnectionTest, NonIdempotentCommandIsNotResentWhenTheReplyIsLost) {
  SKIP_WITHOUT_REDIS();
  RedisServer server;
  auto conn = RedisConnection::open(server.url());
  conn->command({"SET", "counter", "0"});
  server.restart();
  // The stale socket fails; since INCR must not run twice, the error surfaces instead.
  EXPECT_THROW(conn->command({"INCR", "counter"}, /*idempotent=*/false), Error);
  // The next command reconnects; the counter was incremented at most once.
  EXPECT_LE(conn->command({"GET", "counter"}).as_integer(), 1);
}

TEST(RedisConnectionTest, ScriptErrorsAreInternalAndRefusalsAreServerErrors) {
  SKIP_WITHOUT_REDIS();
  RedisServer server;
  auto conn = RedisConnection::open(server.url());
  try {
    conn->eval(RedisScript("local x = nil; return x.y"), {}, {});
    FAIL() << "a broken script succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInternal) << e.what();
  }
  conn->command({"SET", "filler", std::string(4096, 'x')});
  conn->command({"CONFIG", "SET", "maxmemory", "1"});
  try {
    conn->eval(RedisScript("return redis.call('SET', 'k', 'v')"), {}, {});
    FAIL() << "a write past maxmemory succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kServer) << e.what();
    EXPECT_TRUE(e.retryable());
  }
}

}  // namespace
}  // namespace tgscribe::store
