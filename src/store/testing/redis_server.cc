#include "store/testing/redis_server.h"

#include <hiredis/hiredis.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "store/redis/redis_connection.h"

namespace tgscribe::store::testing {

std::optional<std::string> RedisServer::unavailable_reason() {
  if (!tgscribe::testing::have_command("redis-server")) {
    return "redis-server is not installed (apt-get install redis-server); skipping Redis tests";
  }
  return std::nullopt;
}

RedisServer::RedisServer() : RedisServer(Options{}) {}

RedisServer::RedisServer(Options options) : options_(std::move(options)) {
  // Tests kill this server under live clients; a write to the dead socket must be an error
  // return, not SIGPIPE killing the test binary (the app ignores SIGPIPE the same way).
  std::signal(SIGPIPE, SIG_IGN);
  port_ = tgscribe::testing::free_port();
  start();
}

RedisServer::~RedisServer() {
  if (process_) process_->kill_hard();
}

std::string RedisServer::url(int db) const {
  std::string auth = options_.password.empty() ? "" : ":" + options_.password + "@";
  return "redis://" + auth + "127.0.0.1:" + std::to_string(port_) + "/" + std::to_string(db);
}

void RedisServer::start() {
  if (process_) return;
  std::vector<std::string> argv = {"redis-server",
                                   "--port",
                                   std::to_string(port_),
                                   "--bind",
                                   "127.0.0.1",
                                   "--save",
                                   "",
                                   "--appendonly",
                                   "yes",
                                   "--appendfsync",
                                   options_.appendfsync,
                                   "--dir",
                                   dir_.path().string(),
                                   "--daemonize",
                                   "no",
                                   "--protected-mode",
                                   "no",
                                   "--loglevel",
                                   "warning"};
  if (!options_.password.empty()) {
    argv.push_back("--requirepass");
    argv.push_back(options_.password);
  }
  process_ = std::make_unique<tgscribe::testing::ChildProcess>(
      argv, std::map<std::string, std::string>{}, dir_.path() / "redis.log");
  wait_ready();
}

void RedisServer::wait_ready() {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!process_->running()) {
      std::string log = tgscribe::testing::read_file(dir_.path() / "redis.log");
      process_.reset();
      throw std::runtime_error("redis-server exited at startup: " + log);
    }
    timeval tv{0, 200000};
    redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
    if (c && !c->err) {
      redisSetTimeout(c, tv);
      bool ok = true;
      if (!options_.password.empty()) {
        auto* r = static_cast<redisReply*>(redisCommand(c, "AUTH %s", options_.password.c_str()));
        ok = r && r->type != REDIS_REPLY_ERROR;
        if (r) freeReplyObject(r);
      }
      if (ok) {
        // PING answers -LOADING while the append-only file is replayed: wait for PONG.
        auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
        ok = r && r->type == REDIS_REPLY_STATUS;
        if (r) freeReplyObject(r);
      }
      redisFree(c);
      if (ok) return;
    } else if (c) {
      redisFree(c);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("redis-server on port " + std::to_string(port_) +
                           " did not answer PING within 20 s");
}

void RedisServer::stop() {
  if (!process_) return;
  process_->signal_and_wait(SIGTERM, std::chrono::seconds(10));
  process_.reset();
}

void RedisServer::kill_hard() {
  if (!process_) return;
  process_->kill_hard();
  process_.reset();
}

RedisServer* shared_redis_server(std::string* skip_reason) {
  static std::mutex mutex;
  static std::unique_ptr<RedisServer> server;
  static std::string failure;
  std::lock_guard lock(mutex);
  if (!server && failure.empty()) {
    if (auto why = RedisServer::unavailable_reason()) {
      failure = *why;
    } else {
      try {
        server = std::make_unique<RedisServer>();
      } catch (const std::exception& e) {
        failure = e.what();
      }
    }
  }
  if (!server && skip_reason) *skip_reason = failure;
  return server.get();
}

std::optional<std::string> shared_redis_url(std::string* skip_reason) {
  static const std::optional<std::string> external = []() -> std::optional<std::string> {
    const char* env = std::getenv("TGSCRIBE_TEST_REDIS_URL");
    if (!env || !*env) return std::nullopt;
    try {
      RedisConnection::open(env);  // reachable, password and db right
      return std::string(env);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "TGSCRIBE_TEST_REDIS_URL unusable (%s); starting redis-server\n",
                   e.what());
      return std::nullopt;
    }
  }();
  if (external) return external;
  RedisServer* server = shared_redis_server(skip_reason);
  if (!server) return std::nullopt;
  return server->url();
}

}  // namespace tgscribe::store::testing
