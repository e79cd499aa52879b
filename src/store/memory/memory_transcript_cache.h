#pragma once
// In-process transcript cache: LRU bounded by CACHE_MAX_SIZE entries per key kind, TTL read
// from an injectable Clock. Thread-safe. Lost on restart; used alone (CACHE_TYPE=memory) or
// as the first tier in front of SQLite/Redis.
#include <cstdint>
#include <mutex>
#include <set>

#include "common/clock.h"
#include "store/lru_ttl_map.h"
#include "store/transcript_cache.h"

namespace tgscribe::store {

class MemoryTranscriptCache : public TranscriptCache {
 public:
  // max_entries <= 0: unbounded; ttl_s <= 0: entries never expire.
  MemoryTranscriptCache(int64_t max_entries, int64_t ttl_s, Clock& clock = SystemClock::instance());

  std::optional<std::string> sha_for_file(const std::string& file_unique_id) override;
  void put_file(const std::string& file_unique_id, const std::string& sha256,
                int64_t user_id) override;
  std::optional<transcript::Transcript> get(const std::string& content_key) override;
  void put(const std::string& content_key, const transcript::Transcript& t,
           int64_t user_id) override;
  void forget_user(int64_t user_id) override;
  void purge_expired() override;
  CacheStats stats() override;
  bool healthy() override { return true; }

  // As put_file()/put(), with a TTL shorter than the configured one (ttl_s > 0): the tiered
  // cache refills this tier from the back one, whose entry may be near its end already.
  void put_file_for(const std::string& file_unique_id, const std::string& sha256, int64_t user_id,
                    int64_t ttl_s);
  void put_for(const std::string& content_key, const transcript::Transcript& t, int64_t user_id,
               int64_t ttl_s);
  void clear();

 private:
  template <typename V>
  struct Owned {
    V value;
    std::set<int64_t> owners;  // users whose media produced the entry (for /forget)
  };
  int64_t expiry_from_now(int64_t ttl_s_override = 0) const;

  const int64_t ttl_ms_;
  Clock& clock_;
  std::mutex mutex_;
  LruTtlMap<Owned<std::string>> files_;               // guarded by mutex_
  LruTtlMap<Owned<transcript::Transcript>> content_;  // guarded by mutex_
  CacheStats stats_;                                  // guarded by mutex_
};

}  // namespace tgscribe::store
