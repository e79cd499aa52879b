#pragma once
// A cpp-httplib server on 127.0.0.1 (any free port) running in its own thread, stopped on
// destruction: the base of every fake remote service in tests (engines, Telegram).
#include <httplib.h>

#include <string>
#include <thread>

namespace tgscribe::http::testing {

class LocalServer {
 public:
  LocalServer() = default;
  ~LocalServer();
  LocalServer(const LocalServer&) = delete;
  LocalServer& operator=(const LocalServer&) = delete;

  // Register handlers on server() before start().
  httplib::Server& server() { return server_; }
  // Binds to 127.0.0.1 on a free port and returns once the server accepts connections.
  void start();
  void stop();
  int port() const { return port_; }
  // "http://127.0.0.1:<port>"
  std::string url() const;

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = -1;
};

}  // namespace tgscribe::http::testing
