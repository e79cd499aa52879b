#pragma once
// A transcript cache whose store is down: every call throws, as a lost Redis or a locked
// SQLite file would.
#include <atomic>

#include "common/error.h"
#include "store/transcript_cache.h"

namespace tgscribe::pipeline::testing {

class FailingTranscriptCache : public store::TranscriptCache {
 public:
  std::optional<std::string> sha_for_file(const std::string&) override { fail(); }
  void put_file(const std::string&, const std::string&, int64_t) override { fail(); }
  std::optional<transcript::Transcript> get(const std::string&) override { fail(); }
  void put(const std::string&, const transcript::Transcript&, int64_t) override { fail(); }
  void forget_user(int64_t) override { fail(); }
  void purge_expired() override { fail(); }
  store::CacheStats stats() override { fail(); }
  bool healthy() override { return false; }

  std::atomic<int> calls{0};

 private:
  [[noreturn]] void fail() {
    ++calls;
    throw Error(ErrorKind::kNetwork, "cache store unreachable");
  }
};

}  // namespace tgscribe::pipeline::testing
