#pragma once
// Health and metrics on HTTP_LISTEN, separate from the webhook listener so it can stay on
// loopback (or a private network) while the webhook faces the internet.
//
//   GET /healthz  200 "ok" while the process serves requests (liveness)
//   GET /readyz   200 or 503 with the readiness details (stores reachable, engine configured)
//   GET /metrics  Prometheus text format 0.0.4 from metrics::Registry::global()
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

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

// One dependency /readyz reports on.
struct ProbeResult {
  bool ok = true;
  std::string detail;  // shown after "name: ok" / "name: FAILED"; may be empty
};
struct ReadinessProbeSpec {
  std::string name;  // "queue", "outbox", "intake", "cache", ...
  // false: reported, but never makes /readyz fail. The cache is an optimisation: an instance
  // whose cache is down still does its work (slower, or at a higher engine bill).
  bool required = true;
  // May block (a store's round trip) and may throw (= failed, the message is the detail).
  std::function<ProbeResult()> probe;
};

struct ProbeTiming {
  std::chrono::milliseconds every{1000};  // pause between two runs of one probe
  // A probe still running after this long counts as failed ("no answer for ..."): a store
  // that hangs (a half-open connection, a Redis stuck on disk) is as unusable as one that
  // refuses, and must not hold /readyz until its own timeouts run out.
  std::chrono::milliseconds stall{3000};
};

// Readiness probed in the background: every probe runs on its own thread, over and over, so a
// hanging dependency neither slows /readyz (check() only reads the last answers) nor delays
// the others' answers. Until a probe has answered once it counts as failed ("not probed yet").
class BackgroundReadiness {
 public:
  explicit BackgroundReadiness(std::vector<ReadinessProbeSpec> probes, ProbeTiming timing = {});
  // Joins the probe threads (a probe in a call finishes it first).
  ~BackgroundReadiness();
  BackgroundReadiness(const BackgroundReadiness&) = delete;
  BackgroundReadiness& operator=(const BackgroundReadiness&) = delete;

  // Thread-safe and quick: the ReadinessCheck for OpsServer.
  Readiness check() const;
  // No new probe runs start (a shutdown began); returns at once.
  void request_stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True when something accepts TCP connections at `address` (0.0.0.0 / :: are tried on the
// loopback address) within `timeout`: the webhook listener is alive.
bool accepts_connections(const ListenAddress& address, std::chrono::milliseconds timeout);

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
