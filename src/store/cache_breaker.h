#pragma once
// A circuit breaker in front of a TranscriptCache. The cache is an optimisation: when its store
// fails (Redis killed, a disk gone), every call to it would otherwise wait out the store's own
// reconnect deadline (seconds each, one connection shared by intake and every worker) before
// the caller goes on without it, so a dead cache would slow the whole bot to a crawl. After a
// failure the breaker fails every call at once for `cooldown`; then one call (or a healthy()
// probe, which /readyz runs in the background) is let through to see whether the store is
// back, while the others still fail at once. Failing calls throw tgscribe::Error(kNetwork):
// pipeline::ResultCache counts them (tgscribe_cache_errors_total) and goes on without a cache.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "common/clock.h"
#include "store/transcript_cache.h"

namespace tgscribe::store {

class CacheBreaker : public TranscriptCache {
 public:
  CacheBreaker(std::unique_ptr<TranscriptCache> inner,
               std::chrono::milliseconds cooldown = std::chrono::seconds(30),
               Clock& clock = SystemClock::instance());

  std::optional<std::string> sha_for_file(const std::string& file_unique_id) override;
  void put_file(const std::string& file_unique_id, const std::string& sha256,
                int64_t user_id) override;
  std::optional<transcript::Transcript> get(const std::string& content_key) override;
  void put(const std::string& content_key, const transcript::Transcript& t,
           int64_t user_id) override;
  void forget_user(int64_t user_id) override;
  void purge_expired() override;
  CacheStats stats() override;
  // False while the breaker is open (without touching the store); otherwise asks the store,
  // and opens the breaker when it does not answer. After the cooldown this is the probe that
  // closes it again.
  bool healthy() override;

  bool open() const;  // failing fast now

 private:
  // Runs `fn` unless the breaker is open; opens it when `fn` throws.
  template <typename Fn>
  auto guarded(const char* op, Fn&& fn) -> decltype(fn());
  // May this call go through? (closed, or the one probe after the cooldown)
  bool admit();
  void succeeded();
  void failed(const std::string& why);

  std::unique_ptr<TranscriptCache> inner_;
  const std::chrono::milliseconds cooldown_;
  Clock& clock_;
  mutable std::mutex mutex_;
  bool open_ = false;                                 // guarded by mutex_
  bool probing_ = false;                              // guarded by mutex_
  std::chrono::steady_clock::time_point retry_at_{};  // guarded by mutex_
  std::string last_error_;                            // guarded by mutex_
};

}  // namespace tgscribe::store
