#include "app/signals.h"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <string.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace tgscribe::app {
namespace {

// State the handler may touch: lock-free atomics and a file descriptor, nothing else.
std::atomic<int> g_write_fd{-1};
std::atomic<int> g_stop_signals{0};
std::atomic<bool> g_installed{false};
static_assert(std::atomic<int>::is_always_lock_free);

constexpr char kQuit = 'Q';  // written by the destructor to end the watcher

struct saved_actions {
  struct sigaction term, intr, hup, pipe;
} g_saved;

extern "C" void handle_signal(int sig) {
  int saved_errno = errno;  // the interrupted code may be looking at errno
  if (sig == SIGTERM || sig == SIGINT) {
    if (g_stop_signals.fetch_add(1) >= 1) _exit(ShutdownSignals::immediate_exit_code(sig));
  }
  char byte = static_cast<char>(sig);
  int fd = g_write_fd.load();
  // Non-blocking pipe: if it is full the watcher has plenty to do already; dropping is fine.
  if (fd >= 0) (void)!write(fd, &byte, 1);
  errno = saved_errno;
}

void install(int sig, struct sigaction* old) {
  struct sigaction sa {};
  sa.sa_handler = handle_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // blocking calls elsewhere go on instead of failing with EINTR
  sigaction(sig, &sa, old);
}

}  // namespace

ShutdownSignals::ShutdownSignals(std::function<void()> on_hangup)
    : on_hangup_(std::move(on_hangup)) {
  if (g_installed.exchange(true)) throw std::logic_error("ShutdownSignals installed twice");
  if (pipe2(pipe_, O_CLOEXEC) != 0) {
    g_installed = false;
    throw std::runtime_error(std::string("ShutdownSignals: pipe2: ") + strerror(errno));
  }
  fcntl(pipe_[1], F_SETFL, fcntl(pipe_[1], F_GETFL) | O_NONBLOCK);
  g_stop_signals = 0;
  g_write_fd = pipe_[1];
  watcher_ = std::thread([this] { watch(); });

  install(SIGTERM, &g_saved.term);
  install(SIGINT, &g_saved.intr);
  install(SIGHUP, &g_saved.hup);
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGPIPE, &ignore, &g_saved.pipe);
}

ShutdownSignals::~ShutdownSignals() {
  sigaction(SIGTERM, &g_saved.term, nullptr);
  sigaction(SIGINT, &g_saved.intr, nullptr);
  sigaction(SIGHUP, &g_saved.hup, nullptr);
  sigaction(SIGPIPE, &g_saved.pipe, nullptr);
  g_write_fd = -1;
  char quit = kQuit;
  (void)!write(pipe_[1], &quit, 1);
  watcher_.join();
  close(pipe_[0]);
  close(pipe_[1]);
  g_installed = false;
}

void ShutdownSignals::watch() {
  for (;;) {
    char byte;
    ssize_t n = read(pipe_[0], &byte, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || byte == kQuit) return;
    int sig = static_cast<unsigned char>(byte);
    if (sig == SIGHUP) {
      spdlog::info("SIGHUP: reopening the log");
      try {
        if (on_hangup_) on_hangup_();
      } catch (const std::exception& e) {
        spdlog::error("SIGHUP handler failed: {}", e.what());
      }
    } else {
      spdlog::warn("{} received: shutting down gracefully (send it again to exit at once)",
                   sig == SIGTERM ? "SIGTERM" : "SIGINT");
      on_stop(sig);
    }
  }
}

void ShutdownSignals::on_stop(int sig) {
  int expected = 0;
  stop_signal_.compare_exchange_strong(expected, sig);
  stop_.request_stop();  // runs the stop callbacks on this thread, before waiters wake
  // Taking the lock once orders the request against a waiter between its check and its wait,
  // so the notification cannot be lost.
  { std::lock_guard lock(mutex_); }
  cv_.notify_all();
}

void ShutdownSignals::request_stop() { on_stop(0); }

ShutdownWatchdog::ShutdownWatchdog(std::chrono::steady_clock::time_point deadline,
                                   std::function<void()> at_deadline,
                                   std::chrono::milliseconds grace, int exit_code)
    : deadline_(deadline),
      at_deadline_(std::move(at_deadline)),
      grace_(grace),
      exit_code_(exit_code),
      thread_([this](std::stop_token st) { run(st); }) {}

ShutdownWatchdog::~ShutdownWatchdog() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

void ShutdownWatchdog::run(std::stop_token st) {
  std::unique_lock lock(mutex_);
  // Sleeps until `t`; true when disarmed before (the stop token wakes the wait).
  auto disarmed_before = [&](std::chrono::steady_clock::time_point t) {
    cv_.wait_until(lock, st, t, [] { return false; });
    return st.stop_requested();
  };
  if (disarmed_before(deadline_)) return;
  spdlog::warn("shutdown deadline reached: aborting what is still in flight");
  try {
    if (at_deadline_) at_deadline_();
  } catch (const std::exception& e) {
    spdlog::error("shutdown: aborting failed: {}", e.what());
  }
  if (disarmed_before(deadline_ + grace_)) return;
  spdlog::error(
      "shutdown: still not stopped {} ms after the deadline; exiting now (unfinished "
      "jobs resume at the next start)",
      grace_.count());
  spdlog::default_logger()->flush();
  _exit(exit_code_);
}

void ShutdownSignals::wait() {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [this] { return stop_.stop_requested(); });
}

bool ShutdownSignals::wait_for(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, timeout, [this] { return stop_.stop_requested(); });
}

}  // namespace tgscribe::app
