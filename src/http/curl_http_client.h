#pragma once
// HttpClient over libcurl. Easy handles are pooled so that keep-alive connections (and TLS
// sessions) are reused across calls; any number of threads may call send() at once.
//
// Every transfer is driven by its own multi handle in a loop that wakes at least every
// kPollInterval, so no wait is blind: Request::cancelled, a stall (Request::stall) and
// abort_all() end a transfer within a fraction of a second even when no byte moves, as in a
// long poll, a stalled download or an engine thinking about an upload.
#include <atomic>
#include <chrono>
#include <mutex>
#include <vector>

#include "http/http_client.h"

namespace tgscribe::http {

class CurlHttpClient : public HttpClient {
 public:
  // max_idle_handles: how many idle easy handles (each with its own connection cache) are kept.
  explicit CurlHttpClient(size_t max_idle_handles = 8);
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  Response send(const Request& request) override;

  // The shutdown deadline's last resort: every transfer in flight, and every later one, fails
  // at once with kTimeout (retryable: whatever it was resumes at the next start).
  // Irreversible.
  void abort_all() { aborted_ = true; }
  bool aborted() const { return aborted_.load(); }

  static constexpr std::chrono::milliseconds kPollInterval{100};

 private:
  void* acquire();
  void release(void* handle);

  size_t max_idle_;
  std::mutex mutex_;
  std::vector<void*> idle_;  // Handle* (easy + multi); guarded by mutex_
  std::atomic<bool> aborted_{false};
};

}  // namespace tgscribe::http
