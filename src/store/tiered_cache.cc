#include "store/tiered_cache.h"

#include "common/metrics.h"

namespace tgscribe::store {

TieredTranscriptCache::TieredTranscriptCache(std::unique_ptr<MemoryTranscriptCache> front,
                                             std::unique_ptr<TranscriptCache> back,
                                             int64_t refill_ttl_s)
    : front_(std::move(front)), back_(std::move(back)), refill_ttl_s_(refill_ttl_s) {
  metrics::Registry::global().describe("cache_requests_total", "counter",
                                       "Transcript cache lookups by key kind and result.");
}

void TieredTranscriptCache::record(const char* key, bool hit) {
  metrics::Registry::global().counter_add("cache_requests_total",
                                          {{"key", key}, {"result", hit ? "hit" : "miss"}});
}

std::optional<std::string> TieredTranscriptCache::sha_for_file(const std::string& file_unique_id) {
  auto sha = front_->sha_for_file(file_unique_id);
  if (!sha && back_) {
    sha = back_->sha_for_file(file_unique_id);
    // The owner is not known here; forget_user() clears the whole front tier instead.
    if (sha) front_->put_file_for(file_unique_id, *sha, 0, refill_ttl_s_);
  }
  counters_.file(sha.has_value());
  record("file", sha.has_value());
  return sha;
}

void TieredTranscriptCache::put_file(const std::string& file_unique_id, const std::string& sha256,
                                     int64_t user_id) {
  if (back_) back_->put_file(file_unique_id, sha256, user_id);
  front_->put_file(file_unique_id, sha256, user_id);
}

std::optional<transcript::Transcript> TieredTranscriptCache::get(const std::string& content_key) {
  auto t = front_->get(content_key);
  if (!t && back_) {
    t = back_->get(content_key);
    if (t) front_->put_for(content_key, *t, 0, refill_ttl_s_);
  }
  counters_.content(t.has_value());
  record("content", t.has_value());
  return t;
}

void TieredTranscriptCache::put(const std::string& content_key, const transcript::Transcript& t,
                                int64_t user_id) {
  // Back first: if the durable write fails, memory does not claim what disk does not have.
  if (back_) back_->put(content_key, t, user_id);
  front_->put(content_key, t, user_id);
}

void TieredTranscriptCache::forget_user(int64_t user_id) {
  if (back_) {
    back_->forget_user(user_id);
    // Refilled entries carry no owner, so the front tier cannot pick out the user's: drop
    // it all. /forget is rare and the tier refills from the back on the next reads.
    front_->clear();
  } else {
    front_->forget_user(user_id);
  }
}

void TieredTranscriptCache::purge_expired() {
  front_->purge_expired();
  if (back_) back_->purge_expired();
}

CacheStats TieredTranscriptCache::stats() {
  CacheStats s = counters_.snapshot();
  s.entries = back_ ? back_->stats().entries : front_->stats().entries;
  return s;
}

bool TieredTranscriptCache::healthy() { return back_ ? back_->healthy() : true; }

}  // namespace tgscribe::store
