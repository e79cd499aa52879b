#pragma once
// Runs one cpp-httplib server: bind (with a clear error), serve, stop. Shared by the webhook and
// ops listeners so both bind, fail, bound their clients and shut down the same way.
//
// cpp-httplib parses requests and routes them; connections are accepted and their request heads
// read by a ConnectionGate (see connection_gate.h for why), and each complete request runs on a
// thread of a fixed pool through a RequestStream that holds the body to a deadline.
#include <httplib.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "server/connection_gate.h"
#include "server/listen_address.h"

namespace tgscribe::server {

struct HttpLimits {
  int threads = 8;                       // connection-handling threads (one per live connection)
  int read_timeout_s = 5;                // one read of a request; slow senders are cut off
  int write_timeout_s = 5;               // one write of a response; slow readers are cut off
  int keep_alive_timeout_s = 2;          // idle keep-alive
  int keep_alive_max_count = 100;        // requests per connection before it is closed
  int head_timeout_s = 10;               // request line and headers, from connect to the blank line
  int body_timeout_s = 30;               // the whole body, from the end of the head
  int max_head_bytes = 16 * 1024;        // request line and headers; more is answered 431
  int max_header_count = 100;            // header lines; more is answered 431
  int max_connections_per_address = 16;  // open connections from one IP; more are closed
  int max_connections = 256;  // all open connections; past it the oldest waiting one is closed
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
  // Stops accepting and closes the connections waiting for a head (idle keep-alives, slow
  // clients), gives requests in flight a moment (1 s) to finish, then cuts them and joins all
  // threads. Idempotent.
  void stop();

  bool running() const { return gate_ && gate_->running(); }
  int port() const { return port_; }  // the bound port (useful with port 0)

 private:
  // httplib::Server with its request processing opened up: the gate, not httplib's accept loop,
  // feeds it connections.
  class Server : public httplib::Server {
   public:
    bool serve_one(httplib::Stream& strm, bool close_connection, bool& connection_closed) {
      return process_request(strm, close_connection, connection_closed, nullptr);
    }
    // The bound socket, handed over to the gate, which closes it. httplib keeps the number only
    // as its "still running" flag: content providers stop writing once it is INVALID_SOCKET.
    int listen_socket() const { return svr_sock_; }
    void forget_listen_socket() { svr_sock_ = INVALID_SOCKET; }
  };

  void serve(GateConnection c);

  std::string name_;
  HttpLimits limits_;
  Server server_;
  std::unique_ptr<httplib::ThreadPool> pool_;
  std::unique_ptr<ConnectionGate> gate_;
  std::atomic<bool> stopping_{false};
  int port_ = 0;
  int listen_fd_ = -1;  // seen in the socket-options hook
};

}  // namespace tgscribe::server
