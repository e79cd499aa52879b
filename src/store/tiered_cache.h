#pragma once
// A memory tier in front of a shared/persistent cache (SQLite, Redis): reads try memory
// first and refill it from the back tier; writes go to both. It is also the one place that
// counts cache requests, per key kind, in stats() and in the /metrics counter
// tgscribe_cache_requests_total{key="file|content",result="hit|miss"}, so make_stores()
// always returns one (with no back tier for CACHE_TYPE=memory).
#include <memory>

#include "store/memory/memory_transcript_cache.h"
#include "store/transcript_cache.h"

namespace tgscribe::store {

class TieredTranscriptCache : public TranscriptCache {
 public:
  // back may be null (memory only). Entries refilled from the back tier live at most
  // refill_ttl_s in memory, so a row that expires or is forgotten in the back tier (possibly
  // by another instance) is not served from here for long after.
  TieredTranscriptCache(std::unique_ptr<MemoryTranscriptCache> front,
                        std::unique_ptr<TranscriptCache> back, int64_t refill_ttl_s = 300);

  std::optional<std::string> sha_for_file(const std::string& file_unique_id) override;
  void put_file(const std::string& file_unique_id, const std::string& sha256,
                int64_t user_id) override;
  std::optional<transcript::Transcript> get(const std::string& content_key) override;
  void put(const std::string& content_key, const transcript::Transcript& t,
           int64_t user_id) override;
  void forget_user(int64_t user_id) override;
  void purge_expired() override;
  // Hits and misses as seen by callers (a front miss that the back answers is one hit);
  // entries from the back tier when there is one.
  CacheStats stats() override;
  bool healthy() override;

 private:
  // The cache_requests_total metric.
  void record(const char* key, bool hit);

  std::unique_ptr<MemoryTranscriptCache> front_;
  std::unique_ptr<TranscriptCache> back_;
  const int64_t refill_ttl_s_;
  CacheCounters counters_;
};

}  // namespace tgscribe::store
