#include "store/redis/redis_inflight.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/error.h"
#include "common/log.h"

namespace tgscribe::store {
namespace {

// ARGV: token ttl_ms
const RedisScript& renew_script() {
  static const RedisScript s(R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
)lua");
  return s;
}

// ARGV: token
const RedisScript& release_script() {
  static const RedisScript s(R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua");
  return s;
}

}  // namespace

RedisInflightLock::RedisInflightLock(std::shared_ptr<RedisConnection> redis, std::string prefix)
    : redis_(std::move(redis)), prefix_(std::move(prefix)) {}

std::optional<std::string> RedisInflightLock::try_acquire(const std::string& key,
                                                          std::chrono::milliseconds ttl) {
  std::string token = redis_request_token();
  // NX + GET: if this command is re-sent after a lost reply, the old value is our own token,
  // and we know the lock is ours.
  RedisReply r = redis_->command(
      {"SET", lock_key(key), token, "NX", "GET", "PX", std::to_string(ttl.count())});
  if (r.is_nil() || r.str == token) return token;
  return std::nullopt;
}

bool RedisInflightLock::renew(const std::string& key, const std::string& token,
                              std::chrono::milliseconds ttl) {
  return redis_->eval(renew_script(), {lock_key(key)}, {token, std::to_string(ttl.count())})
             .as_integer() == 1;
}

bool RedisInflightLock::release(const std::string& key, const std::string& token) {
  return redis_->eval(release_script(), {lock_key(key)}, {token}).as_integer() == 1;
}

bool RedisInflightLock::held(const std::string& key) {
  return redis_->command({"EXISTS", lock_key(key)}).as_integer() == 1;
}

RedisInflightRegistry::RedisInflightRegistry(std::shared_ptr<RedisConnection> redis,
                                             InflightOptions options, std::string prefix)
    : lock_(std::move(redis), std::move(prefix)), options_(options) {}

InflightRegistry::Outcome RedisInflightRegistry::run_coalesced(const std::string& key,
                                                               const Work& work,
                                                               const Cancelled& cancelled) {
  bool waited = false;
  // Each caller's own work and cancel check: a local waiter that takes over from a failed
  // local leader waits for the lock, and works, as itself.
  Outcome out = local_.run(
      key, [&] { return run_locked(key, work, cancelled, waited); }, cancelled);
  out.joined = out.joined || waited;
  return out;
}

transcript::Transcript RedisInflightRegistry::run_locked(const std::string& key, const Work& work,
                                                         const Cancelled& cancelled, bool& waited) {
  std::optional<std::string> token;
  const auto give_up_at = std::chrono::steady_clock::now() + options_.max_wait;
  for (;;) {
    try {
      if ((token = lock_.try_acquire(key, options_.ttl))) break;
    } catch (const Error& e) {
      // Coalescing saves engine calls; it is not worth failing the job over.
      spdlog::warn("in-flight lock unavailable ({}); working without it", e.what());
      return work();
    }
    waited = true;
    if (cancelled && cancelled()) {
      throw Error(ErrorKind::kCancelled,
                  "cancelled while waiting for an identical job on another instance");
    }
    if (std::chrono::steady_clock::now() >= give_up_at) {
      spdlog::warn("in-flight lock for {} held too long by another instance; working anyway", key);
      return work();
    }
    std::this_thread::sleep_for(options_.poll);
  }

  // Renew the lease while the work runs, so a long transcription keeps its lock and a crash
  // frees it within one ttl.
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread renewer([&] {
    std::unique_lock lock(mu);
    while (!cv.wait_for(lock, options_.renew_every, [&] { return done; })) {
      try {
        if (!lock_.renew(key, *token, options_.ttl)) {
          spdlog::warn("in-flight lock for {} was lost; another instance may start it too", key);
        }
      } catch (const std::exception& e) {
        spdlog::warn("cannot renew in-flight lock for {}: {}", key, e.what());
      }
    }
  });
  auto stop = [&] {
    {
      std::lock_guard lock(mu);
      done = true;
    }
    cv.notify_all();
    renewer.join();
    try {
      lock_.release(key, *token);
    } catch (const std::exception& e) {
      spdlog::warn("cannot release in-flight lock for {}: {} (it expires by itself)", key,
                   e.what());
    }
  };
  try {
    transcript::Transcript t = work();
    stop();
    return t;
  } catch (...) {
    stop();
    throw;
  }
}

}  // namespace tgscribe::store
