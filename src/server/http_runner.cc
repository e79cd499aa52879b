#include "server/http_runner.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "common/error.h"

namespace tgscribe::server {
namespace {

using Clock = std::chrono::steady_clock;

// Requests in flight when stop() is called get this long to finish before their connections
// are cut.
constexpr std::chrono::milliseconds kStopGrace{1000};

void ip_and_port(const sockaddr_storage& addr, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = "";
  if (addr.ss_family == AF_INET) {
    auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
    port = ntohs(a->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
    port = ntohs(a->sin6_port);
  }
  ip = text;
}

// One request's view of a connection for cpp-httplib: first the bytes the gate has read (the
// head, perhaps more), then the socket. Every wait on the socket is bounded by the read (write)
// timeout, and reads past the head also by one deadline for the whole body, so a client that
// trickles its body one byte per read timeout cannot hold the thread for long.
class RequestStream : public httplib::Stream {
 public:
  RequestStream(int fd, std::string buffered, const HttpLimits& limits)
      : fd_(fd),
        buffered_(std::move(buffered)),
        read_timeout_(std::chrono::seconds(limits.read_timeout_s)),
        write_timeout_(std::chrono::seconds(limits.write_timeout_s)),
        body_deadline_(Clock::now() + std::chrono::seconds(limits.body_timeout_s)) {}

  bool is_readable() const override { return pos_ < buffered_.size() || wait(POLLIN, true); }
  bool is_writable() const override { return wait(POLLOUT, false); }

  ssize_t read(char* ptr, size_t size) override {
    if (pos_ < buffered_.size()) {
      size_t n = std::min(size, buffered_.size() - pos_);
      std::memcpy(ptr, buffered_.data() + pos_, n);
      pos_ += n;
      return static_cast<ssize_t>(n);
    }
    for (;;) {
      if (!wait(POLLIN, true)) return -1;
      ssize_t n = recv(fd_, ptr, size, 0);
      if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
      return n;
    }
  }

  ssize_t write(const char* ptr, size_t size) override {
    for (;;) {
      if (!wait(POLLOUT, false)) return -1;
      ssize_t n = send(fd_, ptr, size, MSG_NOSIGNAL);
      if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
      return n;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (getpeername(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
      ip_and_port(addr, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
      ip_and_port(addr, ip, port);
  }
  socket_t socket() const override { return fd_; }

  // Bytes read but not consumed by this request: the start of a pipelined next one.
  std::string take_unread() { return buffered_.substr(std::min(pos_, buffered_.size())); }

 private:
  bool wait(short event, bool reading) const {
    auto limit = Clock::now() + (reading ? read_timeout_ : write_timeout_);
    if (reading) limit = std::min(limit, body_deadline_);
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(limit - Clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, event, 0};
      int r = poll(&p, 1, static_cast<int>(left.count()));
      if (r < 0 && errno == EINTR) continue;
      return r > 0;
    }
  }

  int fd_;
  std::string buffered_;
  size_t pos_ = 0;
  std::chrono::milliseconds read_timeout_;
  std::chrono::milliseconds write_timeout_;
  Clock::time_point body_deadline_;
};

GateLimits gate_limits(const HttpLimits& l) {
  GateLimits g;
  g.head_timeout = std::chrono::seconds(std::max(1, l.head_timeout_s));
  g.idle_timeout = std::chrono::seconds(std::max(1, l.keep_alive_timeout_s));
  g.max_head_bytes = static_cast<size_t>(std::max(1024, l.max_head_bytes));
  g.max_header_count = static_cast<size_t>(std::max(1, l.max_header_count));
  g.max_per_address = static_cast<size_t>(std::max(1, l.max_connections_per_address));
  g.max_connections = static_cast<size_t>(std::max(1, l.max_connections));
  return g;
}

}  // namespace

HttpRunner::HttpRunner(std::string name, HttpLimits limits)
    : name_(std::move(name)), limits_(limits) {
  // These only shape what httplib writes (Keep-Alive header); the waits themselves are the
  // gate's and RequestStream's.
  server_.set_read_timeout(limits_.read_timeout_s, 0);
  server_.set_write_timeout(limits_.write_timeout_s, 0);
  server_.set_keep_alive_timeout(limits_.keep_alive_timeout_s);
  server_.set_keep_alive_max_count(static_cast<size_t>(std::max(1, limits_.keep_alive_max_count)));
  // cpp-httplib's default sets SO_REUSEPORT, which would let a second instance bind the same
  // port silently and steal half the connections. SO_REUSEADDR only allows a quick restart
  // over TIME_WAIT sockets; a port really in use makes start() fail.
  server_.set_socket_options([this](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_fd_ = sock;
  });
}

HttpRunner::~HttpRunner() { stop(); }

void HttpRunner::start(const ListenAddress& address) {
  if (running()) throw Error(ErrorKind::kInternal, name_ + " server already started");
  errno = 0;
  listen_fd_ = -1;
  bool ok;
  if (address.port == 0) {
    port_ = server_.bind_to_any_port(address.host);
    ok = port_ > 0;
  } else {
    ok = server_.bind_to_port(address.host, address.port);
    port_ = address.port;
  }
  if (!ok || listen_fd_ < 0) {
    int err = errno;
    std::string why = err ? std::strerror(err) : "cannot resolve the host or bind the address";
    throw Error(ErrorKind::kInvalidInput,
                "cannot listen on " + address.to_string() + " (" + name_ + "): " + why);
  }
  int fd = server_.listen_socket();
  // The packaged cpp-httplib listens with a backlog of 5, fixed at its build. A burst of new
  // connections (Telegram opens up to max_connections at once) then overflows the accept
  // queue and clients see resets. listen() again on the bound socket only raises the backlog.
  ::listen(fd, SOMAXCONN);

  stopping_ = false;
  pool_ = std::make_unique<httplib::ThreadPool>(static_cast<size_t>(std::max(1, limits_.threads)));
  gate_ = std::make_unique<ConnectionGate>(name_, gate_limits(limits_), [this](GateConnection c) {
    pool_->enqueue([this, c = std::move(c)]() mutable { serve(std::move(c)); });
  });
  gate_->start(fd);
  spdlog::info("{} server listening on {}", name_, ListenAddress{address.host, port_}.to_string());
}

void HttpRunner::serve(GateConnection c) {
  if (stopping_) return gate_->release(std::move(c));
  RequestStream stream(c.fd, std::move(c.buffered), limits_);
  bool last = c.requests + 1 >= static_cast<size_t>(std::max(1, limits_.keep_alive_max_count));
  bool connection_closed = false;
  bool ok = false;
  try {
    ok = server_.serve_one(stream, last, connection_closed);
  } catch (const std::exception& e) {
    spdlog::error("{} server: request failed: {}", name_, e.what());
  }
  c.requests++;
  c.buffered = stream.take_unread();
  if (ok && !last && !connection_closed && !stopping_) {
    gate_->resume(std::move(c));
  } else {
    gate_->release(std::move(c));
  }
}

void HttpRunner::stop() {
  if (!gate_) return;
  stopping_ = true;
  gate_->stop();  // no new connections; those waiting for a head are closed
  auto grace_end = Clock::now() + kStopGrace;
  while (gate_->dispatched() > 0 && Clock::now() < grace_end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  while (gate_->dispatched() > 0) {
    gate_->cut_dispatched();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pool_->shutdown();  // requests still queued see stopping_ and release their connections
  pool_.reset();
  gate_.reset();
  server_.forget_listen_socket();
  spdlog::info("{} server stopped", name_);
}

}  // namespace tgscribe::server
