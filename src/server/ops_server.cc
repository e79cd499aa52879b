#include "server/ops_server.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "common/metrics.h"
#include "server/process_stats.h"

namespace tgscribe::server {
namespace {

// Exactly what Prometheus asks for in its Accept header for the text format.
constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

double unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

struct BackgroundReadiness::Impl {
  struct State {
    ReadinessProbeSpec spec;
    std::optional<ProbeResult> last;                                     // guarded by mutex
    std::optional<std::chrono::steady_clock::time_point> running_since;  // guarded by mutex
  };

  ProbeTiming timing;
  std::vector<State> states;
  mutable std::mutex mutex;
  std::condition_variable cv;
  bool stopping = false;  // guarded by mutex
  std::vector<std::thread> threads;

  void run(size_t i) {
    State& st = states[i];
    for (;;) {
      {
        std::lock_guard lock(mutex);
        if (stopping) return;
        st.running_since = std::chrono::steady_clock::now();
      }
      ProbeResult r;
      try {
        r = st.spec.probe ? st.spec.probe() : ProbeResult{};
      } catch (const std::exception& e) {
        r = {false, e.what()};
      } catch (...) {
        r = {false, "the probe failed"};
      }
      std::unique_lock lock(mutex);
      st.last = std::move(r);
      st.running_since.reset();
      if (cv.wait_for(lock, timing.every, [&] { return stopping; })) return;
    }
  }
};

BackgroundReadiness::BackgroundReadiness(std::vector<ReadinessProbeSpec> probes, ProbeTiming timing)
    : impl_(std::make_unique<Impl>()) {
  impl_->timing = timing;
  for (auto& p : probes) impl_->states.push_back({std::move(p), std::nullopt, std::nullopt});
  for (size_t i = 0; i < impl_->states.size(); ++i) {
    impl_->threads.emplace_back([this, i] { impl_->run(i); });
  }
}

BackgroundReadiness::~BackgroundReadiness() {
  request_stop();
  for (auto& t : impl_->threads) t.join();
}

void BackgroundReadiness::request_stop() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
}

Readiness BackgroundReadiness::check() const {
  Readiness r;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(impl_->mutex);
  for (const auto& st : impl_->states) {
    bool ok;
    std::string detail;
    if (st.running_since && now - *st.running_since >= impl_->timing.stall) {
      ok = false;
      detail =
          "no answer for " +
          std::to_string(
              std::chrono::duration_cast<std::chrono::seconds>(now - *st.running_since).count()) +
          " s";
    } else if (!st.last) {
      ok = false;
      detail = "not probed yet";
    } else {
      ok = st.last->ok;
      detail = st.last->detail;
    }
    r.details += st.spec.name + (ok ? ": ok" : ": FAILED");
    if (!detail.empty()) r.details += " (" + detail + ")";
    if (!ok && !st.spec.required) r.details += " [optional: not needed to work]";
    r.details += "\n";
    if (st.spec.required) r.ok = r.ok && ok;
  }
  return r;
}

bool accepts_connections(const ListenAddress& address, std::chrono::milliseconds timeout) {
  std::string host = address.host;
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(address.port).c_str(), &hints, &found) != 0) {
    return false;
  }
  bool ok = false;
  for (addrinfo* a = found; a && !ok; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    int rc = connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc == 0) {
      ok = true;
    } else if (errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      if (poll(&p, 1, static_cast<int>(timeout.count())) == 1) {
        int err = 0;
        socklen_t len = sizeof err;
        ok = getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
      }
    }
    close(fd);
  }
  freeaddrinfo(found);
  return ok;
}

OpsOptions OpsOptions::from_config(const config::Config& config, std::string version) {
  OpsOptions o;
  o.listen = parse_listen_address(config.http_listen);
  o.version = std::move(version);
  return o;
}

struct OpsServer::Impl {
  OpsOptions options;
  ReadinessCheck readiness;
  HttpRunner runner;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  Impl(OpsOptions o, ReadinessCheck r)
      : options(std::move(o)), readiness(std::move(r)), runner("ops", options.limits) {
    auto& registry = metrics::Registry::global();
    registry.describe("build_info", "gauge", "Always 1; the labels say which build runs");
    registry.describe("process_start_time_seconds", "gauge", "Unix time the process started");
    registry.describe("uptime_seconds", "gauge", "Seconds since the process started");
    registry.describe("process_resident_memory_bytes", "gauge", "Resident memory size");
    registry.describe("process_open_fds", "gauge", "Open file descriptors");
    registry.gauge_set("build_info", {{"version", options.version}}, 1);
    // Measured from this server's creation, which the app does at startup: close enough for
    // "did it restart" and far cheaper than parsing /proc/self/stat.
    registry.gauge_set("process_start_time_seconds", {},
                       unix_seconds(std::chrono::system_clock::now()));
    install_routes();
  }

  void install_routes() {
    auto& http = runner.http();
    http.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
      if (req.method == "GET" || req.method == "HEAD") {
        return httplib::Server::HandlerResponse::Unhandled;
      }
      res.status = 405;
      res.set_header("Allow", "GET, HEAD");
      res.set_content("method not allowed\n", "text/plain");
      return httplib::Server::HandlerResponse::Handled;
    });
    http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("ok\n", "text/plain");
    });
    http.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
      Readiness r;
      try {
        if (readiness) r = readiness();
      } catch (const std::exception& e) {
        r = {false, std::string("readiness check failed: ") + e.what()};
      }
      res.status = r.ok ? 200 : 503;
      std::string body = r.details.empty() ? (r.ok ? "ready" : "not ready") : r.details;
      if (body.back() != '\n') body += '\n';
      res.set_content(body, "text/plain");
    });
    http.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      auto& registry = metrics::Registry::global();
      registry.gauge_set(
          "uptime_seconds", {},
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      registry.gauge_set("process_resident_memory_bytes", {},
                         static_cast<double>(resident_memory_bytes()));
      registry.gauge_set("process_open_fds", {}, open_fd_count());
      res.set_content(registry.render(), kMetricsContentType);
    });
    http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (res.body.empty()) {
        res.set_content(res.status == 404 ? "not found\n" : "error\n", "text/plain");
      }
    });
  }
};

OpsServer::OpsServer(OpsOptions options, ReadinessCheck readiness)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(readiness))) {}

OpsServer::~OpsServer() { stop(); }

void OpsServer::start() { impl_->runner.start(impl_->options.listen); }

void OpsServer::stop() { impl_->runner.stop(); }

int OpsServer::port() const { return impl_->runner.port(); }

}  // namespace tgscribe::server
