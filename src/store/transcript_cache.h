#pragma once
// Transcript cache with two keys:
//  - file key: Telegram's file_unique_id -> SHA-256 of the content (a hit needs no download);
//  - content key: sha256 + engine + model + language + task -> transcript.
// Implementations: memory (LRU, CACHE_MAX_SIZE), SQLite (default, persistent), Redis; a
// memory tier can sit in front of the others (tiered_cache.h). One typed test suite runs
// against all of them.
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "transcript/transcript.h"

namespace tgscribe::store {

struct CacheStats {
  int64_t file_hits = 0, file_misses = 0;
  int64_t content_hits = 0, content_misses = 0;
  int64_t entries = 0;  // content entries currently stored (approximate for Redis)
};

// "sha256|engine|model|language|task" with empty language written as "auto".
std::string make_content_key(const std::string& sha256, const std::string& engine,
                             const std::string& model, const std::string& language, bool translate);

// A cache's hit and miss counts per key, safe to bump from several threads: what stats()
// reports for the backends that do not keep them in the store itself.
class CacheCounters {
 public:
  void file(bool hit) { (hit ? file_hits_ : file_misses_).fetch_add(1, std::memory_order_relaxed); }
  void content(bool hit) {
    (hit ? content_hits_ : content_misses_).fetch_add(1, std::memory_order_relaxed);
  }
  // The counts, with `entries` left 0 for the caller to fill in.
  CacheStats snapshot() const;

 private:
  std::atomic<int64_t> file_hits_{0}, file_misses_{0}, content_hits_{0}, content_misses_{0};
};

class TranscriptCache {
 public:
  virtual ~TranscriptCache() = default;

  virtual std::optional<std::string> sha_for_file(const std::string& file_unique_id) = 0;
  virtual void put_file(const std::string& file_unique_id, const std::string& sha256,
                        int64_t user_id) = 0;

  virtual std::optional<transcript::Transcript> get(const std::string& content_key) = 0;
  virtual void put(const std::string& content_key, const transcript::Transcript& t,
                   int64_t user_id) = 0;

  // Removes every entry recorded for the user (file keys and transcripts they caused).
  virtual void forget_user(int64_t user_id) = 0;
  virtual void purge_expired() = 0;
  virtual CacheStats stats() = 0;
  virtual bool healthy() = 0;
};

}  // namespace tgscribe::store
