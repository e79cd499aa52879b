#pragma once
// HttpClient over libcurl. Easy handles are pooled so that keep-alive connections (and TLS
// sessions) are reused across calls; any number of threads may call send() at once.
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

 private:
  void* acquire();
  void release(void* handle);

  size_t max_idle_;
  std::mutex mutex_;
  std::vector<void*> idle_;  // CURL*; guarded by mutex_
};

}  // namespace tgscribe::http
