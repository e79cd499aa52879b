#pragma once
// Persistent transcript cache in DATA_DIR/tgscribe.db (CACHE_TYPE=sqlite): survives restarts,
// bounded by max_entries per key kind (least recently used evicted), expired rows purged.
// Transcripts are stored as transcript::to_json text.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "common/clock.h"
#include "store/sqlite/sqlite_db.h"
#include "store/transcript_cache.h"

namespace tgscribe::store {

class SqliteTranscriptCache : public TranscriptCache {
 public:
  // ttl_s <= 0: never expires; max_entries <= 0: unbounded.
  SqliteTranscriptCache(std::shared_ptr<SqliteDb> db, int64_t ttl_s, int64_t max_entries = 100000,
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
  bool healthy() override { return db_->healthy(); }

 private:
  int64_t expiry(int64_t now) const;
  void evict_beyond_bound(const char* table, const char* key_column, int kind);

  std::shared_ptr<SqliteDb> db_;
  const int64_t ttl_ms_;
  const int64_t max_entries_;
  Clock& clock_;
  CacheCounters counters_;
  std::atomic<int64_t> puts_{0};
};

}  // namespace tgscribe::store
