#pragma once
// Health and metrics on HTTP_LISTEN, separate from the webhook listener so it can stay on
// loopback (or a private network) while the webhook faces the internet.
//
//   GET /healthz  200 "ok" while the process serves requests (liveness)
//   GET /readyz   200 or 503 with the readiness details (stores reachable, engine configured)
//   GET /metrics  Prometheus text format 0.0.4 from metrics::Registry::global()
#include <functional>
#include <memory>
#include <string>

#include "config/config.h"
#include "server/http_runner.h"
#include "server/listen_address.h"

namespace tgscribe::server {

struct Readiness {
  bool ok = true;
  std::string details;  // one line per check, shown as the /readyz body
};

// Called on every GET /readyz from a server thread; must be thread-safe and quick (probes
// time out after a few seconds), e.g. a cached result refreshed in the background.
using ReadinessCheck = std::function<Readiness()>;

struct OpsOptions {
  ListenAddress listen{"127.0.0.1", 9090};
  std::string version = "unknown";  // build_info{version=...}
  // Scrapers and probes need few threads and no long keep-alive.
  HttpLimits limits{.threads = 4, .keep_alive_timeout_s = 1};

  // HTTP_LISTEN. Throws tgscribe::Error(kInvalidInput) on a bad address.
  static OpsOptions from_config(const config::Config& config, std::string version);
};

class OpsServer {
 public:
  // No readiness check means always ready.
  explicit OpsServer(OpsOptions options, ReadinessCheck readiness = {});
  ~OpsServer();
  OpsServer(const OpsServer&) = delete;
  OpsServer& operator=(const OpsServer&) = delete;

  // Binds and serves in the background; throws tgscribe::Error naming the address on failure.
  void start();
  void stop();
  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tgscribe::server
