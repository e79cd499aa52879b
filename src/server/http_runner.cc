#include "server/http_runner.h"

#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "common/error.h"

namespace tgscribe::server {
namespace {

// Requests in flight when stop() is called get this long to finish before their connections
// are cut.
constexpr std::chrono::milliseconds kStopGrace{1000};

int local_port(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return -1;
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return -1;
}

// cpp-httplib stops a connection only between two requests, so a client that trickles a
// request byte by byte (or an idle keep-alive) would hold stop() - and the graceful shutdown
// behind it - for as long as it likes. cpp-httplib keeps no list of its connections, so they
// are found as this process's connected sockets whose local port is the listener's (only
// accepted connections have it: outgoing ones use ephemeral ports), and shut down: a blocked
// read returns at once, the connection thread ends normally and closes the descriptor itself.
void wake_connections(int port) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    int fd = std::atoi(entry.path().filename().c_str());
    int port_of_fd = local_port(fd);  // -1 for anything but an IP socket
    if (port_of_fd != port) continue;
    int listening = 0;
    socklen_t len = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || listening) continue;
    sockaddr_storage peer{};
    socklen_t peer_len = sizeof peer;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) continue;
    shutdown(fd, SHUT_RDWR);
  }
}

}  // namespace

HttpRunner::HttpRunner(std::string name, HttpLimits limits)
    : name_(std::move(name)), limits_(limits) {
  size_t threads = static_cast<size_t>(std::max(1, limits_.threads));
  server_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
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
  if (ok && listen_fd_ >= 0) {
    // The packaged cpp-httplib listens with a backlog of 5, fixed at its build. A burst of new
    // connections (Telegram opens up to max_connections at once) then overflows the accept
    // queue and clients see resets. listen() again on the bound socket only raises the backlog.
    ::listen(listen_fd_, SOMAXCONN);
  }
  if (!ok) {
    int err = errno;
    std::string why = err ? std::strerror(err) : "cannot resolve the host or bind the address";
    throw Error(ErrorKind::kInvalidInput,
                "cannot listen on " + address.to_string() + " (" + name_ + "): " + why);
  }
  finished_ = false;
  thread_ = std::thread([this] {
    if (!server_.listen_after_bind()) spdlog::error("{} server: accept loop failed", name_);
    finished_ = true;
  });
  // stop() before the accept loop has started would be lost (cpp-httplib only stops a running
  // server), so start() returns once the loop runs. The socket already listens, so clients that
  // connect meanwhile just wait in the backlog.
  while (!server_.is_running() && !finished_)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  spdlog::info("{} server listening on {}", name_, ListenAddress{address.host, port_}.to_string());
}

void HttpRunner::stop() {
  if (!thread_.joinable()) return;
  server_.stop();  // closes the listener; the accept loop then waits for the connections
  auto grace_end = std::chrono::steady_clock::now() + kStopGrace;
  while (!finished_ && std::chrono::steady_clock::now() < grace_end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  while (!finished_) {
    wake_connections(port_);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  thread_.join();
  spdlog::info("{} server stopped", name_);
}

}  // namespace tgscribe::server
