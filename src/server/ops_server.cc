#include "server/ops_server.h"

#include <spdlog/spdlog.h>

#include <chrono>

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
