#include "store/cache_breaker.h"

#include <spdlog/spdlog.h>

#include "common/error.h"

namespace tgscribe::store {

CacheBreaker::CacheBreaker(std::unique_ptr<TranscriptCache> inner,
                           std::chrono::milliseconds cooldown, Clock& clock)
    : inner_(std::move(inner)), cooldown_(cooldown), clock_(clock) {}

bool CacheBreaker::open() const {
  std::lock_guard lock(mutex_);
  return open_;
}

bool CacheBreaker::admit() {
  std::lock_guard lock(mutex_);
  if (!open_) return true;
  if (probing_ || clock_.now() < retry_at_) return false;
  probing_ = true;  // this caller finds out whether the store is back; the others fail fast
  return true;
}

void CacheBreaker::succeeded() {
  std::lock_guard lock(mutex_);
  if (open_) spdlog::info("transcript cache: its store answers again, using it");
  open_ = false;
  probing_ = false;
}

void CacheBreaker::failed(const std::string& why) {
  std::lock_guard lock(mutex_);
  if (!open_) {
    spdlog::warn("transcript cache: its store failed ({}); jobs go on without it, retrying in {} s",
                 why, cooldown_.count() / 1000);
  }
  open_ = true;
  probing_ = false;
  retry_at_ = clock_.now() + cooldown_;
  last_error_ = why;
}

template <typename Fn>
auto CacheBreaker::guarded(const char* op, Fn&& fn) -> decltype(fn()) {
  if (!admit()) {
    std::string why;
    {
      std::lock_guard lock(mutex_);
      why = last_error_;
    }
    throw Error(ErrorKind::kNetwork, std::string("cache bypassed (") + op + "): " + why);
  }
  try {
    if constexpr (std::is_void_v<decltype(fn())>) {
      fn();
      succeeded();
    } else {
      auto r = fn();
      succeeded();
      return r;
    }
  } catch (const std::exception& e) {
    failed(e.what());
    throw;
  }
}

std::optional<std::string> CacheBreaker::sha_for_file(const std::string& file_unique_id) {
  return guarded("sha_for_file", [&] { return inner_->sha_for_file(file_unique_id); });
}

void CacheBreaker::put_file(const std::string& file_unique_id, const std::string& sha256,
                            int64_t user_id) {
  guarded("put_file", [&] { inner_->put_file(file_unique_id, sha256, user_id); });
}

std::optional<transcript::Transcript> CacheBreaker::get(const std::string& content_key) {
  return guarded("get", [&] { return inner_->get(content_key); });
}

void CacheBreaker::put(const std::string& content_key, const transcript::Transcript& t,
                       int64_t user_id) {
  guarded("put", [&] { inner_->put(content_key, t, user_id); });
}

// /forget must not silently skip the user's cached data: always tried, errors surface.
void CacheBreaker::forget_user(int64_t user_id) { inner_->forget_user(user_id); }

void CacheBreaker::purge_expired() {
  guarded("purge_expired", [&] { inner_->purge_expired(); });
}

CacheStats CacheBreaker::stats() { return inner_->stats(); }

bool CacheBreaker::healthy() {
  if (!admit()) return false;
  bool ok = false;
  try {
    ok = inner_->healthy();
  } catch (const std::exception& e) {
    failed(e.what());
    return false;
  }
  if (ok) {
    succeeded();
  } else {
    failed("the cache's store does not answer");
  }
  return ok;
}

}  // namespace tgscribe::store
