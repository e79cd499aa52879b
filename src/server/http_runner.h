#pragma once
// Runs one cpp-httplib server on its own thread: bind (with a clear error), serve, stop. Shared
// by the webhook and ops listeners so both bind, fail and shut down the same way.
#include <httplib.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "server/listen_address.h"

namespace tgscribe::server {

struct HttpLimits {
  int threads = 8;                 // connection-handling threads (one per live connection)
  int read_timeout_s = 5;          // one read of a request; slow senders are cut off
  int write_timeout_s = 5;         // one write of a response; slow readers are cut off
  int keep_alive_timeout_s = 2;    // idle keep-alive
  int keep_alive_max_count = 100;  // requests per connection before it is closed
};

class HttpRunner {
 public:
  // `name` ("webhook", "ops") appears in log lines and errors.
  HttpRunner(std::string name, HttpLimits limits);
  ~HttpRunner();
  HttpRunner(const HttpRunner&) = delete;
  HttpRunner& operator=(const HttpRunner&) = delete;

  // Register routes/handlers here before start().
  httplib::Server& http() { return server_; }

  // Binds `address` and serves on a background thread. Throws tgscribe::Error(kInvalidInput)
  // naming the address when it cannot bind (in use, not local, no permission).
  void start(const ListenAddress& address);
  // Stops accepting, gives requests in flight a moment (1 s) to finish, then cuts the
  // connections still open (idle keep-alives, slow clients) and joins all threads. Idempotent.
  void stop();

  bool running() const { return thread_.joinable(); }
  int port() const { return port_; }  // the bound port (useful with port 0)

 private:
  std::string name_;
  HttpLimits limits_;
  httplib::Server server_;
  std::thread thread_;
  std::atomic<bool> finished_{false};
  int port_ = 0;
  int listen_fd_ = -1;  // seen in the socket-options hook, to raise the backlog
};

}  // namespace tgscribe::server
