#include "store/sqlite/sqlite_transcript_cache.h"

#include <limits>

#include "transcript/json_format.h"

namespace tgscribe::store {
namespace {

constexpr int kFileKind = 0;
constexpr int kContentKind = 1;
// Expired rows are removed on every this many puts, so the file never grows unbounded even
// when purge_expired() is never called.
constexpr int64_t kPurgeEvery = 64;
constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

}  // namespace

SqliteTranscriptCache::SqliteTranscriptCache(std::shared_ptr<SqliteDb> db, int64_t ttl_s,
                                             int64_t max_entries, Clock& clock)
    : db_(std::move(db)),
      ttl_ms_(ttl_s > 0 ? ttl_s * 1000 : 0),
      max_entries_(max_entries),
      clock_(clock) {}

int64_t SqliteTranscriptCache::expiry(int64_t now) const {
  return ttl_ms_ > 0 ? now + ttl_ms_ : kNever;
}

std::optional<std::string> SqliteTranscriptCache::sha_for_file(const std::string& file_unique_id) {
  int64_t now = clock_.unix_ms();
  auto sha = db_->write([&]() -> std::optional<std::string> {
    Statement q = db_->prepare(
        "SELECT sha256 FROM cache_files WHERE file_unique_id = ?1 AND expires_ms > ?2");
    q.bind_all(file_unique_id, now);
    if (!q.step()) return std::nullopt;
    std::string value = q.text_at(0);
    db_->prepare(
           "UPDATE cache_files SET used_seq = (SELECT MAX(used_seq) + 1 FROM cache_files) "
           "WHERE file_unique_id = ?1")
        .bind_all(file_unique_id)
        .run();
    return value;
  });
  counters_.file(sha.has_value());
  return sha;
}

void SqliteTranscriptCache::put_file(const std::string& file_unique_id, const std::string& sha256,
                                     int64_t user_id) {
  int64_t now = clock_.unix_ms();
  db_->write([&] {
    db_->prepare(
           "INSERT INTO cache_files (file_unique_id, sha256, expires_ms, used_seq) "
           "VALUES (?1, ?2, ?3, (SELECT COALESCE(MAX(used_seq), 0) + 1 FROM cache_files)) "
           "ON CONFLICT (file_unique_id) DO UPDATE SET sha256 = excluded.sha256, "
           "expires_ms = excluded.expires_ms, used_seq = excluded.used_seq")
        .bind_all(file_unique_id, sha256, expiry(now))
        .run();
    db_->prepare("INSERT OR IGNORE INTO cache_owners (kind, key, user_id) VALUES (?1, ?2, ?3)")
        .bind_all(kFileKind, file_unique_id, user_id)
        .run();
    evict_beyond_bound("cache_files", "file_unique_id", kFileKind);
  });
}

std::optional<transcript::Transcript> SqliteTranscriptCache::get(const std::string& content_key) {
  int64_t now = clock_.unix_ms();
  auto json = db_->write([&]() -> std::optional<std::string> {
    Statement q = db_->prepare(
        "SELECT json FROM cache_transcripts WHERE content_key = ?1 AND expires_ms > ?2");
    q.bind_all(content_key, now);
    if (!q.step()) return std::nullopt;
    std::string value = q.text_at(0);
    db_->prepare(
           "UPDATE cache_transcripts SET used_seq = (SELECT MAX(used_seq) + 1 FROM "
           "cache_transcripts) WHERE content_key = ?1")
        .bind_all(content_key)
        .run();
    return value;
  });
  if (!json) {
    counters_.content(false);
    return std::nullopt;
  }
  try {
    auto t = transcript::from_json(*json);
    counters_.content(true);
    return t;
  } catch (const std::exception&) {
    // A row that no longer parses (written by a future format) is a miss, not a failure.
    counters_.content(false);
    return std::nullopt;
  }
}

void SqliteTranscriptCache::put(const std::string& content_key, const transcript::Transcript& t,
                                int64_t user_id) {
  std::string json = transcript::to_json(t, {}, /*pretty=*/false);
  int64_t now = clock_.unix_ms();
  db_->write([&] {
    db_->prepare(
           "INSERT INTO cache_transcripts (content_key, json, expires_ms, used_seq) "
           "VALUES (?1, ?2, ?3, (SELECT COALESCE(MAX(used_seq), 0) + 1 FROM cache_transcripts)) "
           "ON CONFLICT (content_key) DO UPDATE SET json = excluded.json, "
           "expires_ms = excluded.expires_ms, used_seq = excluded.used_seq")
        .bind_all(content_key, json, expiry(now))
        .run();
    db_->prepare("INSERT OR IGNORE INTO cache_owners (kind, key, user_id) VALUES (?1, ?2, ?3)")
        .bind_all(kContentKind, content_key, user_id)
        .run();
    evict_beyond_bound("cache_transcripts", "content_key", kContentKind);
  });
  if (puts_.fetch_add(1) % kPurgeEvery == kPurgeEvery - 1) purge_expired();
}

// Inside a write transaction: drops the least recently used rows beyond max_entries.
void SqliteTranscriptCache::evict_beyond_bound(const char* table, const char* key_column,
                                               int kind) {
  if (max_entries_ <= 0) return;
  const std::string t = table, k = key_column;
  db_->prepare("DELETE FROM cache_owners WHERE kind = ?1 AND key IN (SELECT " + k + " FROM " + t +
               " ORDER BY used_seq DESC LIMIT -1 OFFSET ?2)")
      .bind_all(kind, max_entries_)
      .run();
  db_->prepare("DELETE FROM " + t + " WHERE " + k + " IN (SELECT " + k + " FROM " + t +
               " ORDER BY used_seq DESC LIMIT -1 OFFSET ?1)")
      .bind_all(max_entries_)
      .run();
}

void SqliteTranscriptCache::forget_user(int64_t user_id) {
  db_->write([&] {
    db_->prepare(
           "DELETE FROM cache_files WHERE file_unique_id IN "
           "(SELECT key FROM cache_owners WHERE kind = 0 AND user_id = ?1)")
        .bind_all(user_id)
        .run();
    db_->prepare(
           "DELETE FROM cache_transcripts WHERE content_key IN "
           "(SELECT key FROM cache_owners WHERE kind = 1 AND user_id = ?1)")
        .bind_all(user_id)
        .run();
    // Other users' ownership rows of the removed entries go too: they point at nothing now.
    db_->prepare(
           "DELETE FROM cache_owners WHERE (kind, key) IN "
           "(SELECT kind, key FROM cache_owners WHERE user_id = ?1)")
        .bind_all(user_id)
        .run();
  });
}

void SqliteTranscriptCache::purge_expired() {
  int64_t now = clock_.unix_ms();
  db_->write([&] {
    db_->prepare(
           "DELETE FROM cache_owners WHERE kind = 0 AND key IN "
           "(SELECT file_unique_id FROM cache_files WHERE expires_ms <= ?1)")
        .bind_all(now)
        .run();
    db_->prepare("DELETE FROM cache_files WHERE expires_ms <= ?1").bind_all(now).run();
    db_->prepare(
           "DELETE FROM cache_owners WHERE kind = 1 AND key IN "
           "(SELECT content_key FROM cache_transcripts WHERE expires_ms <= ?1)")
        .bind_all(now)
        .run();
    db_->prepare("DELETE FROM cache_transcripts WHERE expires_ms <= ?1").bind_all(now).run();
  });
}

CacheStats SqliteTranscriptCache::stats() {
  CacheStats s = counters_.snapshot();
  int64_t now = clock_.unix_ms();
  s.entries = db_->read([&] {
    Statement q = db_->prepare("SELECT COUNT(*) FROM cache_transcripts WHERE expires_ms > ?1");
    q.bind_all(now);
    return q.step() ? q.int_at(0) : int64_t{0};
  });
  return s;
}

}  // namespace tgscribe::store
