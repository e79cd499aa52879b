#include "store/redis/redis_connection.h"

#include <openssl/evp.h>
#include <sys/time.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <thread>

#include "common/backoff.h"
#include "common/error.h"
#include "common/log.h"
#include "common/redact.h"

namespace tgscribe::store {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

timeval to_timeval(milliseconds d) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(d.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
  return tv;
}

// Error replies are carried as kError internally and turned into exceptions at the boundary.
constexpr auto kErrorType = static_cast<RedisReply::Type>(100);

RedisReply decode(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(decode(r->element[i]));
      break;
    case REDIS_REPLY_ERROR:
      out.type = kErrorType;
      out.str.assign(r->str, r->len);
      break;
    default:
      out.type = RedisReply::Type::kNil;
  }
  return out;
}

bool is_error(const RedisReply& r) { return r.type == kErrorType; }
bool error_starts(const RedisReply& r, const char* prefix) {
  return is_error(r) && r.str.rfind(prefix, 0) == 0;
}

// Errors that mean "not executed, ask again in a moment": a restarted server replaying its
// append-only file answers -LOADING until it is done.
bool transient_error(const RedisReply& r) {
  return error_starts(r, "LOADING") || error_starts(r, "TRYAGAIN") || error_starts(r, "MASTERDOWN");
}

std::string sha1_hex(const std::string& s) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(s.data(), s.size(), md, &len, EVP_sha1(), nullptr);
  std::string hex;
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", md[i]);
    hex += buf;
  }
  return hex;
}

}  // namespace

std::string RedisReply::as_string() const {
  if (type == Type::kInteger) return std::to_string(integer);
  return str;
}

long long RedisReply::as_integer() const {
  if (type == Type::kInteger) return integer;
  if (str.empty()) return 0;
  try {
    return std::stoll(str);
  } catch (...) {
    return 0;
  }
}

std::string redis_request_token() {
  std::random_device rd;
  std::string out;
  char buf[9];
  for (int i = 0; i < 4; ++i) {
    std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(rd()));
    out += buf;
  }
  return out;
}

RedisScript::RedisScript(std::string source) : source_(std::move(source)) {
  sha1_ = sha1_hex(source_);
}

RedisConnection::RedisConnection(const RedisUrl& url, RedisOptions options)
    : url_(url), options_(options) {
  register_secret(url_.password);
  std::lock_guard lock(mutex_);
  connect_locked();
}

std::shared_ptr<RedisConnection> RedisConnection::open(const std::string& url,
                                                       RedisOptions options) {
  return std::make_shared<RedisConnection>(parse_redis_url(url), options);
}

RedisConnection::~RedisConnection() {
  if (ctx_) redisFree(ctx_);
}

int64_t RedisConnection::connections() const {
  std::lock_guard lock(mutex_);
  return connections_;
}

void RedisConnection::connect_locked() {
  if (ctx_) {
    redisFree(ctx_);
    ctx_ = nullptr;
  }
  const std::string where = "Redis at " + url_.endpoint();
  redisContext* c =
      redisConnectWithTimeout(url_.host.c_str(), url_.port, to_timeval(options_.connect_timeout));
  if (!c) throw Error(ErrorKind::kNetwork, "cannot connect to " + where + ": out of memory");
  if (c->err) {
    std::string why = c->errstr;
    redisFree(c);
    throw Error(ErrorKind::kNetwork, "cannot connect to " + where + ": " + why +
                                         " (is redis-server running? check REDIS_URL)");
  }
  redisSetTimeout(c, to_timeval(options_.command_timeout));
  redisEnableKeepAlive(c);

  auto call = [&](const std::vector<std::string>& args) -> RedisReply {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(args.size()), argv.data(), lens.data()));
    if (!r) {
      std::string why = c->errstr;
      redisFree(c);
      throw Error(ErrorKind::kNetwork, "cannot talk to " + where + ": " + why);
    }
    RedisReply out = decode(r);
    freeReplyObject(r);
    return out;
  };
  auto fail = [&](ErrorKind kind, const std::string& msg) {
    redisFree(c);
    // redact(): Redis never echoes the password, but an error text must not risk it.
    throw Error(kind, redact(msg));
  };

  if (!url_.password.empty()) {
    RedisReply r = url_.user.empty() ? call({"AUTH", url_.password})
                                     : call({"AUTH", url_.user, url_.password});
    if (is_error(r)) {
      fail(ErrorKind::kAuth, where + " refused the credentials in REDIS_URL: " + r.str);
    }
  }
  if (url_.db != 0) {
    RedisReply r = call({"SELECT", std::to_string(url_.db)});
    if (error_starts(r, "NOAUTH")) {
      fail(ErrorKind::kAuth, where +
                                 " requires a password: put it in REDIS_URL "
                                 "(redis://:PASSWORD@host:port/db)");
    }
    if (is_error(r)) {
      fail(ErrorKind::kInvalidInput,
           where + " refused database " + std::to_string(url_.db) + ": " + r.str);
    }
  }
  RedisReply pong = call({"PING"});
  if (error_starts(pong, "NOAUTH")) {
    fail(ErrorKind::kAuth,
         where + " requires a password: put it in REDIS_URL (redis://:PASSWORD@host:port/db)");
  }
  if (transient_error(pong)) fail(ErrorKind::kServer, where + " is not ready: " + pong.str);
  if (is_error(pong)) fail(ErrorKind::kServer, where + " answered PING with: " + pong.str);
  ctx_ = c;
  ++connections_;
  if (connections_ > 1) spdlog::info("reconnected to {}", where);
}

RedisReply RedisConnection::run_locked(const std::vector<std::string>& args, bool idempotent,
                                       milliseconds deadline) {
  const auto give_up_at = steady_clock::now() + deadline;
  milliseconds backoff{20};
  bool resent = false;
  auto wait_or_throw = [&](const Error& e) {
    if (steady_clock::now() + backoff > give_up_at) throw e;
    std::this_thread::sleep_for(backoff);
    backoff = next_backoff(backoff, milliseconds(500));
  };
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  for (;;) {
    if (!ctx_) {
      try {
        connect_locked();
      } catch (const Error& e) {
        // A wrong password or db index will not fix itself by waiting.
        if (e.kind() == ErrorKind::kAuth || e.kind() == ErrorKind::kInvalidInput) throw;
        wait_or_throw(e);
        continue;
      }
    }
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(ctx_, static_cast<int>(args.size()), argv.data(), lens.data()));
    if (!r) {
      std::string why = ctx_->errstr;
      bool timeout = why.find("temporarily unavailable") != std::string::npos ||
                     why.find("timed out") != std::string::npos;
      redisFree(ctx_);
      ctx_ = nullptr;
      // The command may or may not have run: re-send only what is safe to run twice.
      if (!idempotent || resent) {
        throw Error(timeout ? ErrorKind::kTimeout : ErrorKind::kNetwork,
                    "lost the connection to Redis at " + url_.endpoint() + " during " + args[0] +
                        ": " + why);
      }
      spdlog::warn("connection to Redis at {} lost ({}), reconnecting", url_.endpoint(), why);
      resent = true;
      continue;
    }
    RedisReply out = decode(r);
    freeReplyObject(r);
    if (transient_error(out)) {
      wait_or_throw(
          Error(ErrorKind::kServer, "Redis at " + url_.endpoint() + " is not ready: " + out.str));
      continue;
    }
    return out;
  }
}

RedisReply RedisConnection::command(const std::vector<std::string>& args, bool idempotent) {
  std::lock_guard lock(mutex_);
  RedisReply r = run_locked(args, idempotent, options_.reconnect_deadline);
  if (is_error(r)) {
    throw Error(ErrorKind::kServer,
                "Redis at " + url_.endpoint() + " refused " + args[0] + ": " + r.str);
  }
  return r;
}

RedisReply RedisConnection::eval(const RedisScript& script, const std::vector<std::string>& keys,
                                 const std::vector<std::string>& args, bool idempotent) {
  std::vector<std::string> argv = {"EVALSHA", script.sha1(), std::to_string(keys.size())};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  std::lock_guard lock(mutex_);
  RedisReply r = run_locked(argv, idempotent, options_.reconnect_deadline);
  if (error_starts(r, "NOSCRIPT")) {
    // Not executed: the server has not seen the script (first use or after a restart).
    // EVAL runs it and caches it for the next EVALSHA.
    argv[0] = "EVAL";
    argv[1] = script.source();
    r = run_locked(argv, idempotent, options_.reconnect_deadline);
  }
  if (is_error(r)) {
    // A fault inside the script is a bug of ours; anything else (OOM, READONLY replica, ...)
    // is the server refusing work.
    bool refused = error_starts(r, "OOM") || error_starts(r, "READONLY") ||
                   error_starts(r, "BUSY") || error_starts(r, "NOREPLICAS") ||
                   error_starts(r, "MISCONF");
    throw Error(refused ? ErrorKind::kServer : ErrorKind::kInternal,
                "Redis at " + url_.endpoint() + " failed a script: " + r.str);
  }
  return r;
}

bool RedisConnection::ping() {
  // Polled try_lock rather than a timed mutex: ping() must not queue behind a command that is
  // waiting out a Redis restart, and ThreadSanitizer does not understand timed locks in
  // Debian 12's toolchain.
  std::unique_lock lock(mutex_, std::defer_lock);
  const auto give_up_at = steady_clock::now() + std::chrono::seconds(1);
  while (!lock.try_lock()) {
    if (steady_clock::now() >= give_up_at) return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
  try {
    RedisReply r = run_locked({"PING"}, true, milliseconds(0));
    return !is_error(r);
  } catch (const Error&) {
    return false;
  }
}

}  // namespace tgscribe::store
