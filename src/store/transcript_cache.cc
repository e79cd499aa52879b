#include "store/transcript_cache.h"

namespace tgscribe::store {

std::string make_content_key(const std::string& sha256, const std::string& engine,
                             const std::string& model, const std::string& language,
                             bool translate) {
  // The task is part of the key: a translation of the same bytes is a different transcript.
  return sha256 + "|" + engine + "|" + model + "|" + (language.empty() ? "auto" : language) + "|" +
         (translate ? "translate" : "transcribe");
}

CacheStats CacheCounters::snapshot() const {
  CacheStats s;
  s.file_hits = file_hits_.load();
  s.file_misses = file_misses_.load();
  s.content_hits = content_hits_.load();
  s.content_misses = content_misses_.load();
  return s;
}

}  // namespace tgscribe::store
