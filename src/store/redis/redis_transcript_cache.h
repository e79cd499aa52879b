#pragma once
// TranscriptCache on Redis (CACHE_TYPE=redis): shared by every instance, usually behind a
// memory tier (TieredTranscriptCache).
//
//   {p}cache:f:<file_unique_id>  hash {sha, exp}   expires with PEXPIRE after CACHE_TTL
//   {p}cache:t:<content_key>     hash {json, exp}  the transcript as transcript::to_json
//   {p}cache:{f,t}lru            zset  key -> use tick (LRU bound, max_entries per kind)
//   {p}cache:{f,t}exp            zset  key -> expiry ms (purge_expired, entries count)
//   {p}cache:u:<user>            set   "f:<id>" / "t:<key>" the user caused (forget_user)
//   {p}cache:stats               hash  hit/miss counters shared by all instances (/stats)
//
// Redis expiry frees memory; the stored "exp", read against the injected Clock, decides
// whether an entry is live, so the TTL behaves as in the other implementations (and tests
// can drive it). Every operation is one Lua script: atomic and one round trip.
#include <memory>
#include <string>

#include "common/clock.h"
#include "store/redis/redis_connection.h"
#include "store/transcript_cache.h"

namespace tgscribe::store {

class RedisTranscriptCache : public TranscriptCache {
 public:
  // ttl_s <= 0: entries never expire; max_entries <= 0: unbounded (Redis's maxmemory policy
  // is then the only bound).
  RedisTranscriptCache(std::shared_ptr<RedisConnection> redis, int64_t ttl_s,
                       int64_t max_entries = 0, Clock& clock = SystemClock::instance(),
                       std::string prefix = "tgscribe:");

  std::optional<std::string> sha_for_file(const std::string& file_unique_id) override;
  void put_file(const std::string& file_unique_id, const std::string& sha256,
                int64_t user_id) override;
  std::optional<transcript::Transcript> get(const std::string& content_key) override;
  void put(const std::string& content_key, const transcript::Transcript& t,
           int64_t user_id) override;
  void forget_user(int64_t user_id) override;
  void purge_expired() override;
  CacheStats stats() override;
  bool healthy() override;

 private:
  void put_entry(const char* kind, const std::string& key, const std::string& field,
                 const std::string& value, int64_t user_id);
  std::optional<std::string> get_entry(const char* kind, const std::string& key,
                                       const std::string& field);

  std::shared_ptr<RedisConnection> redis_;
  const int64_t ttl_ms_;
  const int64_t max_entries_;
  Clock& clock_;
  const std::string prefix_;
};

}  // namespace tgscribe::store
