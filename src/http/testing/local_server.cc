#include "http/testing/local_server.h"

#include <chrono>
#include <stdexcept>

namespace tgscribe::http::testing {

LocalServer::~LocalServer() { stop(); }

void LocalServer::start() {
  // httplib's stop() waits for idle keep-alive connections to time out (default 5 s); a short
  // timeout keeps test teardown fast while back-to-back requests still reuse connections.
  server_.set_keep_alive_timeout(1);
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("LocalServer: cannot bind 127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!server_.is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (!server_.is_running()) throw std::runtime_error("LocalServer: did not start");
}

void LocalServer::stop() {
  if (thread_.joinable()) {
    server_.stop();
    thread_.join();
  }
}

std::string LocalServer::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

}  // namespace tgscribe::http::testing
