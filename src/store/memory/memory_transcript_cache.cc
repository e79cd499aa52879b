#include "store/memory/memory_transcript_cache.h"

namespace tgscribe::store {

MemoryTranscriptCache::MemoryTranscriptCache(int64_t max_entries, int64_t ttl_s, Clock& clock)
    : ttl_ms_(ttl_s > 0 ? ttl_s * 1000 : 0),
      clock_(clock),
      files_(max_entries),
      content_(max_entries) {}

int64_t MemoryTranscriptCache::expiry_from_now(int64_t ttl_s_override) const {
  int64_t ttl_ms = ttl_ms_;
  if (ttl_s_override > 0 && (ttl_ms == 0 || ttl_s_override * 1000 < ttl_ms)) {
    ttl_ms = ttl_s_override * 1000;
  }
  return ttl_ms > 0 ? clock_.unix_ms() + ttl_ms : 0;
}

std::optional<std::string> MemoryTranscriptCache::sha_for_file(const std::string& file_unique_id) {
  std::lock_guard lock(mutex_);
  auto* e = files_.find(file_unique_id, clock_.unix_ms());
  if (!e) {
    ++stats_.file_misses;
    return std::nullopt;
  }
  ++stats_.file_hits;
  return e->value;
}

void MemoryTranscriptCache::put_file(const std::string& file_unique_id, const std::string& sha256,
                                     int64_t user_id) {
  put_file_for(file_unique_id, sha256, user_id, 0);
}

void MemoryTranscriptCache::put_file_for(const std::string& file_unique_id,
                                         const std::string& sha256, int64_t user_id,
                                         int64_t ttl_s) {
  std::lock_guard lock(mutex_);
  auto* existing = files_.find(file_unique_id, clock_.unix_ms());
  std::set<int64_t> owners = existing ? existing->owners : std::set<int64_t>{};
  owners.insert(user_id);
  files_.put(file_unique_id, {sha256, std::move(owners)}, expiry_from_now(ttl_s));
}

std::optional<transcript::Transcript> MemoryTranscriptCache::get(const std::string& content_key) {
  std::lock_guard lock(mutex_);
  auto* e = content_.find(content_key, clock_.unix_ms());
  if (!e) {
    ++stats_.content_misses;
    return std::nullopt;
  }
  ++stats_.content_hits;
  return e->value;
}

void MemoryTranscriptCache::put(const std::string& content_key, const transcript::Transcript& t,
                                int64_t user_id) {
  put_for(content_key, t, user_id, 0);
}

void MemoryTranscriptCache::put_for(const std::string& content_key, const transcript::Transcript& t,
                                    int64_t user_id, int64_t ttl_s) {
  std::lock_guard lock(mutex_);
  auto* existing = content_.find(content_key, clock_.unix_ms());
  std::set<int64_t> owners = existing ? existing->owners : std::set<int64_t>{};
  owners.insert(user_id);
  content_.put(content_key, {t, std::move(owners)}, expiry_from_now(ttl_s));
}

void MemoryTranscriptCache::forget_user(int64_t user_id) {
  std::lock_guard lock(mutex_);
  files_.erase_if([&](const std::string&, const auto& e) { return e.owners.count(user_id) > 0; });
  content_.erase_if([&](const std::string&, const auto& e) { return e.owners.count(user_id) > 0; });
}

void MemoryTranscriptCache::clear() {
  std::lock_guard lock(mutex_);
  files_.erase_if([](const std::string&, const auto&) { return true; });
  content_.erase_if([](const std::string&, const auto&) { return true; });
}

void MemoryTranscriptCache::purge_expired() {
  std::lock_guard lock(mutex_);
  int64_t now = clock_.unix_ms();
  files_.purge_expired(now);
  content_.purge_expired(now);
}

CacheStats MemoryTranscriptCache::stats() {
  std::lock_guard lock(mutex_);
  CacheStats s = stats_;
  s.entries = static_cast<int64_t>(content_.size());
  return s;
}

}  // namespace tgscribe::store
