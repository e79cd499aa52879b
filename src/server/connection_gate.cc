#include "server/connection_gate.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "common/error.h"
#include "common/metrics.h"

namespace tgscribe::server {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kReadChunk = 4096;
constexpr int kMaxEvents = 64;
// The gate thread wakes at least this often, so deadlines are kept to within it.
constexpr std::chrono::milliseconds kMaxWait{500};

std::string peer_address(const sockaddr_storage& addr) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (addr.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&addr)->sin_addr, text, sizeof text);
  } else if (addr.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_addr, text,
              sizeof text);
  }
  return text;
}

const char* status_line(int status) {
  switch (status) {
    case 408:
      return "HTTP/1.1 408 Request Timeout\r\n";
    case 431:
      return "HTTP/1.1 431 Request Header Fields Too Large\r\n";
    default:
      return "HTTP/1.1 400 Bad Request\r\n";
  }
}

}  // namespace

ConnectionGate::ConnectionGate(std::string name, GateLimits limits, Dispatch dispatch)
    : name_(std::move(name)), limits_(limits), dispatch_(std::move(dispatch)) {
  metrics::Registry::global().describe(
      "http_connections_refused_total", "counter",
      "Connections closed before their request reached a handler, by listener and reason");
}

ConnectionGate::~ConnectionGate() { stop(); }

void ConnectionGate::start(int listen_fd) {
  listen_fd_ = listen_fd;
  fcntl(listen_fd_, F_SETFL, fcntl(listen_fd_, F_GETFL) | O_NONBLOCK);
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) {
    throw Error(ErrorKind::kInternal, name_ + " server: cannot create its event loop");
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listen_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev);
  ev.data.fd = wake_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void ConnectionGate::resume(GateConnection c) {
  {
    std::lock_guard lock(mutex_);
    dispatched_.erase(c.fd);
    if (!stopping_) {
      resumed_.push_back(std::move(c));
      uint64_t one = 1;
      (void)!write(wake_fd_, &one, sizeof one);
      return;
    }
  }
  close_connection(c.fd, c.address);
}

void ConnectionGate::release(GateConnection c) {
  {
    std::lock_guard lock(mutex_);
    dispatched_.erase(c.fd);
  }
  close_connection(c.fd, c.address);
}

void ConnectionGate::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof one);
  thread_.join();
  // The thread is gone: what waits here (and what was resumed meanwhile) is closed by us.
  for (auto& [fd, w] : waiting_) close_connection(fd, w.c.address);
  waiting_.clear();
  std::vector<GateConnection> resumed;
  {
    std::lock_guard lock(mutex_);
    resumed.swap(resumed_);
  }
  for (auto& c : resumed) close_connection(c.fd, c.address);
  ::close(listen_fd_);
  ::close(epoll_fd_);
  ::close(wake_fd_);
  listen_fd_ = epoll_fd_ = wake_fd_ = -1;
}

void ConnectionGate::cut_dispatched() {
  // Dispatched descriptors are closed only in release()/resume(), after they leave the set under
  // the same lock, so a descriptor here is never one already reused for something else.
  std::lock_guard lock(mutex_);
  for (int fd : dispatched_) shutdown(fd, SHUT_RDWR);
}

size_t ConnectionGate::dispatched() const {
  std::lock_guard lock(mutex_);
  return dispatched_.size();
}

void ConnectionGate::loop() {
  epoll_event events[kMaxEvents];
  for (;;) {
    auto wait = kMaxWait;
    auto now = Clock::now();
    for (const auto& [fd, w] : waiting_) {
      wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::max(w.deadline - now, Clock::duration::zero())) +
                                std::chrono::milliseconds(1));
    }
    int n = epoll_wait(epoll_fd_, events, kMaxEvents, static_cast<int>(wait.count()));
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == listen_fd_) {
        accept_all();
      } else if (fd == wake_fd_) {
        uint64_t value;
        (void)!read(wake_fd_, &value, sizeof value);
      } else {
        on_readable(fd);
      }
    }
    std::vector<GateConnection> resumed;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      resumed.swap(resumed_);
    }
    for (auto& c : resumed) {
      int fd = c.fd;
      bool pipelined = !c.buffered.empty();
      add_waiting(std::move(c), false);
      if (pipelined) check_head(fd, 0);  // the next head may be here already
    }
    expire();
  }
}

void ConnectionGate::accept_all() {
  for (;;) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    int fd =
        accept4(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if ((errno == EMFILE || errno == ENFILE) && !waiting_.empty()) {
        evict_oldest();  // a descriptor for the new client, at the cost of the slowest one
        continue;
      }
      return;  // EAGAIN: all taken; anything else: retried on the next readiness
    }
    std::string address = peer_address(addr);
    bool over_address = false;
    size_t open = 0;
    {
      std::lock_guard lock(mutex_);
      size_t& count = per_address_[address];
      if (count >= limits_.max_per_address) {
        over_address = true;
      } else {
        ++count;
      }
      open = waiting_.size() + dispatched_.size();
    }
    if (over_address) {
      // Closed at once, without reading: a client over its share gets no slot to hold.
      ::close(fd);
      count("per_address");
      spdlog::debug("{} server: refused a connection from {} (over {} per address)", name_, address,
                    limits_.max_per_address);
      continue;
    }
    if (open >= limits_.max_connections) evict_oldest();
    add_waiting(GateConnection{fd, std::move(address), {}, 0}, true);
  }
}

void ConnectionGate::add_waiting(GateConnection c, bool fresh) {
  auto now = Clock::now();
  int fd = c.fd;
  Waiting w{std::move(c), now, now + (fresh ? limits_.head_timeout : limits_.idle_timeout), fresh};
  if (!fresh && !w.c.buffered.empty()) {
    w.head_started = true;
    w.deadline = now + limits_.head_timeout;
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP;
  ev.data.fd = fd;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    close_connection(fd, w.c.address);
    return;
  }
  waiting_.emplace(fd, std::move(w));
}

void ConnectionGate::on_readable(int fd) {
  auto it = waiting_.find(fd);
  if (it == waiting_.end()) return;
  Waiting& w = it->second;
  size_t before = w.c.buffered.size();
  char buf[kReadChunk];
  bool eof = false;
  // Read no further than the cap: whatever follows a complete head stays in the socket for the
  // request thread.
  while (w.c.buffered.size() < limits_.max_head_bytes) {
    ssize_t n =
        recv(fd, buf, std::min(sizeof buf, limits_.max_head_bytes - w.c.buffered.size()), 0);
    if (n > 0) {
      w.c.buffered.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0 && errno == EINTR) continue;
    eof = true;  // closed (or reset) by the peer; a complete head before it is still served
    break;
  }
  if (w.c.buffered.size() > before) {
    if (!w.head_started) {
      w.head_started = true;
      w.deadline = Clock::now() + limits_.head_timeout;
    }
    check_head(fd, before >= 3 ? before - 3 : 0);  // may dispatch and forget fd
  }
  if (eof && waiting_.count(fd)) refuse(fd, 0, nullptr);
}

void ConnectionGate::check_head(int fd, size_t searched_from) {
  auto it = waiting_.find(fd);
  if (it == waiting_.end()) return;
  std::string& buffered = it->second.c.buffered;
  size_t end = buffered.find("\r\n\r\n", searched_from);
  if (end == std::string::npos) {
    if (buffered.size() >= limits_.max_head_bytes) refuse(fd, 431, "head_too_large");
    return;
  }
  // Lines of the head: the request line, then one per header field.
  size_t lines =
      static_cast<size_t>(std::count(buffered.begin(), buffered.begin() + end, '\n')) + 1;
  if (lines - 1 > limits_.max_header_count) return refuse(fd, 431, "too_many_headers");

  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  GateConnection c = std::move(it->second.c);
  waiting_.erase(it);
  {
    std::lock_guard lock(mutex_);
    dispatched_.insert(fd);
  }
  dispatch_(std::move(c));
}

void ConnectionGate::expire() {
  auto now = Clock::now();
  std::vector<std::pair<int, bool>> late;  // fd, whether a head had begun
  for (const auto& [fd, w] : waiting_) {
    if (w.deadline <= now) late.emplace_back(fd, w.head_started && !w.c.buffered.empty());
  }
  for (auto [fd, begun] : late) {
    // A connection that said nothing (an idle keep-alive, or one that connected and waited)
    // is closed quietly; a head that did not finish in time is told so.
    if (begun) {
      refuse(fd, 408, "head_timeout");
    } else {
      refuse(fd, 0, "idle");
    }
  }
}

void ConnectionGate::refuse(int fd, int status, const char* reason) {
  auto it = waiting_.find(fd);
  if (it == waiting_.end()) return;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  // Counted before the client can see the answer, so what it saw is already in the metrics.
  if (reason && std::string_view(reason) != "idle") {
    count(reason);
    spdlog::debug("{} server: closed a connection from {} ({})", name_, it->second.c.address,
                  reason);
  }
  if (status) {
    std::string answer =
        std::string(status_line(status)) + "Content-Length: 0\r\nConnection: close\r\n\r\n";
    (void)!send(fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    shutdown(fd, SHUT_WR);
    // Whatever the client already sent is read and dropped, so the close below sends a FIN after
    // the answer rather than a reset that could destroy it. A client still sending gets a reset.
    char buf[kReadChunk];
    for (int i = 0; i < 16 && recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0; ++i) {
    }
  }
  close_connection(fd, it->second.c.address);
  waiting_.erase(it);
}

void ConnectionGate::close_connection(int fd, const std::string& address) {
  // The count first: once the fd is closed the client may reconnect at once, and its new
  // connection must not be counted against the one that is going away.
  {
    std::lock_guard lock(mutex_);
    auto it = per_address_.find(address);
    if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
  }
  ::close(fd);
}

void ConnectionGate::evict_oldest() {
  auto oldest = waiting_.end();
  for (auto it = waiting_.begin(); it != waiting_.end(); ++it) {
    if (oldest == waiting_.end() || it->second.since < oldest->second.since) oldest = it;
  }
  if (oldest == waiting_.end()) return;
  refuse(oldest->first, 0, "evicted");
}

void ConnectionGate::count(const char* reason) {
  metrics::Registry::global().counter_add("http_connections_refused_total",
                                          {{"server", name_}, {"reason", reason}});
  // One warning per reason per minute at most: the clients behind these are unauthenticated.
  auto now = Clock::now();
  static std::mutex mutex;
  static std::map<std::string, Clock::time_point> last;
  std::lock_guard lock(mutex);
  auto& t = last[name_ + reason];
  if (t.time_since_epoch().count() == 0 || now - t >= std::chrono::minutes(1)) {
    t = now;
    spdlog::warn(
        "{} server: closing connections that break its limits ({}); see "
        "tgscribe_http_connections_refused_total",
        name_, reason);
  }
}

}  // namespace tgscribe::server
