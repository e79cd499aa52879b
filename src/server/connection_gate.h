#pragma once
// Keeps slow and greedy clients away from the request threads.
//
// Debian's cpp-httplib (0.11, a compiled library, so its CPPHTTPLIB_* limits are fixed at its
// build) gives every accepted connection a thread that then waits on it. It bounds each read,
// but not the whole request head, not the number of header lines, and not the length of a line
// before it has all arrived; it has no per-address limit, and its accept loop has no hook to add
// any. 100 clients sending a header byte a second hold every thread, and Telegram's requests
// queue behind them; an endless header stream holds a thread and grows memory without end.
//
// So the gate accepts the connections itself: one epoll thread reads each request head (line and
// headers) with a deadline, a byte cap and a header-line cap, and counts connections per
// address. Only a complete head is handed to a request thread (Dispatch), and a keep-alive
// connection comes back here (resume) to wait for its next head, so waiting costs no thread.
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace tgscribe::server {

struct GateLimits {
  // From accept (or from the first byte after a keep-alive wait) to the blank line of the head.
  std::chrono::milliseconds head_timeout{10'000};
  std::chrono::milliseconds idle_timeout{2'000};  // keep-alive wait for the next request
  size_t max_head_bytes = 16 * 1024;              // request line and headers, CRLFs included
  size_t max_header_count = 100;
  size_t max_per_address = 16;   // open connections from one IP address
  size_t max_connections = 256;  // all open connections; the oldest waiting head yields
};

// One client connection, held by the gate or by a request thread.
struct GateConnection {
  int fd = -1;
  std::string address;   // the peer's IP address (the per-address key)
  std::string buffered;  // read but not consumed: a complete head, maybe more
  size_t requests = 0;   // requests served on this connection
};

class ConnectionGate {
 public:
  // Called on the gate thread with a connection whose `buffered` starts with a complete head;
  // must not block (hand it to a thread pool). The connection must come back through resume()
  // or release().
  using Dispatch = std::function<void(GateConnection)>;

  // `name` ("webhook", "ops") labels log lines and metrics.
  ConnectionGate(std::string name, GateLimits limits, Dispatch dispatch);
  ~ConnectionGate();
  ConnectionGate(const ConnectionGate&) = delete;
  ConnectionGate& operator=(const ConnectionGate&) = delete;

  // Takes ownership of a bound, listening socket and starts accepting.
  void start(int listen_fd);
  // A request was answered and the connection stays open: wait for its next head.
  void resume(GateConnection c);
  // The request thread is done with the connection: close it and free its address slot.
  void release(GateConnection c);
  // Stops accepting and closes every connection waiting here; joins the gate thread. Connections
  // held by request threads are left to them (see cut_dispatched). Idempotent.
  void stop();
  // Shuts down the sockets of connections held by request threads, so their blocked reads and
  // writes return at once.
  void cut_dispatched();
  size_t dispatched() const;
  bool running() const { return thread_.joinable(); }

 private:
  struct Waiting {
    GateConnection c;
    std::chrono::steady_clock::time_point since;  // accepted or resumed: eviction order
    std::chrono::steady_clock::time_point deadline;
    bool head_started;  // the head clock runs (a fresh connection, or a byte after keep-alive)
  };

  void loop();
  void accept_all();
  void add_waiting(GateConnection c, bool fresh);
  void on_readable(int fd);
  void check_head(int fd, size_t searched_from);
  void expire();
  void refuse(int fd, int status, const char* reason);  // answers (if status), closes, forgets
  void close_connection(int fd, const std::string& address);
  void evict_oldest();
  void count(const char* reason);

  std::string name_;
  GateLimits limits_;
  Dispatch dispatch_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: resumed connections or stop
  std::thread thread_;
  bool stopping_ = false;  // guarded by mutex_

  std::map<int, Waiting> waiting_;  // gate thread only

  mutable std::mutex mutex_;
  std::vector<GateConnection> resumed_;        // guarded by mutex_
  std::set<int> dispatched_;                   // guarded by mutex_
  std::map<std::string, size_t> per_address_;  // guarded by mutex_
};

}  // namespace tgscribe::server
