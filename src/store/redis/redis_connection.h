#pragma once
// One mutex-guarded hiredis connection shared by the Redis stores of a process.
//
// Why one connection and not a pool: every command the stores send is a short, non-blocking
// command or Lua script (sub-millisecond on the server), so a worker pool of QUEUE_MAX_WORKERS
// threads does not queue up behind it; and one connection keeps reconnect logic simple.
//
// Failure handling: when Redis goes away (restart, failover) a command reconnects with
// exponential backoff for up to `reconnect_deadline`, re-sending AUTH and SELECT. A command
// that was never sent is always sent after reconnecting; a command whose reply was lost is
// re-sent once only when the caller says it is idempotent (all scripts of the stores are made
// idempotent with request tokens, so a lost reply never turns into a double effect).
#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "store/redis/redis_url.h"

namespace tgscribe::store {

struct RedisOptions {
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds command_timeout{5000};
  // How long a command keeps trying to reconnect (and waits out -LOADING after a restart)
  // before it fails with ErrorKind::kNetwork.
  std::chrono::milliseconds reconnect_deadline{10000};
};

// A decoded RESP2 reply. Error replies are turned into exceptions by RedisConnection, so a
// caller only ever sees the other kinds.
struct RedisReply {
  enum class Type { kNil, kString, kStatus, kInteger, kArray };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus
  long long integer = 0;
  std::vector<RedisReply> elements;

  bool is_nil() const { return type == Type::kNil; }
  // String value, or the decimal form of an integer; "" for nil.
  std::string as_string() const;
  // Integer value, or a string parsed as integer; 0 for nil.
  long long as_integer() const;
};

// A Lua script run with EVALSHA, falling back to EVAL when the server does not know it yet
// (first use, or after a restart flushed the script cache).
class RedisScript {
 public:
  explicit RedisScript(std::string source);
  const std::string& source() const { return source_; }
  const std::string& sha1() const { return sha1_; }

 private:
  std::string source_;
  std::string sha1_;
};

// 128 random bits as hex, drawn from the OS for every call (not from a seeded PRNG, whose
// state a fork() would duplicate): the owner/request tokens that make scripts idempotent.
std::string redis_request_token();

class RedisConnection {
 public:
  // Connects at once (AUTH, SELECT, PING) so a wrong URL is a startup error. Throws
  // tgscribe::Error naming host:port (never the password): kNetwork when unreachable, kAuth
  // when the password is refused, kInvalidInput for a bad URL.
  explicit RedisConnection(const RedisUrl& url, RedisOptions options = {});
  static std::shared_ptr<RedisConnection> open(const std::string& url, RedisOptions options = {});
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Runs one command. `idempotent` = may be re-sent when the reply was lost.
  RedisReply command(const std::vector<std::string>& args, bool idempotent = true);
  RedisReply eval(const RedisScript& script, const std::vector<std::string>& keys,
                  const std::vector<std::string>& args, bool idempotent = true);

  // One PING without waiting for a reconnect deadline (for /readyz): false when Redis does not
  // answer, or when another thread has been stuck on the connection for over a second.
  bool ping();
  const RedisUrl& url() const { return url_; }
  std::string endpoint() const { return url_.endpoint(); }
  // Number of successful (re)connections so far; tests use it to see a reconnect happened.
  int64_t connections() const;

 private:
  // Both assume mutex_ is held.
  void connect_locked();
  RedisReply run_locked(const std::vector<std::string>& args, bool idempotent,
                        std::chrono::milliseconds deadline);

  RedisUrl url_;
  RedisOptions options_;
  mutable std::mutex mutex_;
  redisContext* ctx_ = nullptr;  // guarded by mutex_; null while disconnected
  int64_t connections_ = 0;      // guarded by mutex_
};

}  // namespace tgscribe::store
