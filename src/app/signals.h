#pragma once
// Process signals turned into ordinary events for a graceful shutdown:
//
//   SIGTERM / SIGINT, first   -> stop requested: stop_token() fires, wait() returns. The app
//                                stops intake, lets running jobs finish until the deadline,
//                                and exits 0.
//   SIGTERM / SIGINT, second  -> _exit(128 + signal) at once (143 for SIGTERM, 130 for SIGINT,
//                                the shell's convention), from inside the handler, so it works
//                                even when the graceful path is stuck. Unfinished jobs stay
//                                in the durable queue and resume at the next start.
//   SIGHUP                    -> on_hangup() (reopen the log file, e.g. after logrotate).
//   SIGPIPE                   -> ignored: a peer hanging up is an error return, never a death.
//
// The signal handler only does async-signal-safe things (an atomic counter, write() to a
// self-pipe, _exit); a watcher thread reads the pipe and runs the callbacks in normal context.
// Handlers work whatever threads exist already, unlike sigwait, which needs the signals blocked
// before the first thread is started.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stop_token>
#include <thread>

namespace tgscribe::app {

class ShutdownSignals {
 public:
  // At most one instance exists at a time (signal dispositions are process-wide); a second
  // one throws std::logic_error. `on_hangup` runs on the watcher thread.
  explicit ShutdownSignals(std::function<void()> on_hangup = {});
  // Restores the previous signal dispositions.
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  // Fires (std::stop_callback runs on the watcher thread) on the first SIGTERM/SIGINT or on
  // request_stop().
  std::stop_token stop_token() const { return stop_.get_token(); }
  bool stop_requested() const { return stop_.stop_requested(); }
  // The signal that asked for the stop (SIGTERM, SIGINT), 0 for request_stop() or none yet.
  int stop_signal() const { return stop_signal_.load(); }

  // Asks for a graceful stop (e.g. a fatal error elsewhere). Unlike a first signal, it does not
  // arm the immediate exit: the next SIGTERM still counts as the first.
  void request_stop();
  // Blocks until a stop is requested.
  void wait();
  // Blocks until a stop is requested or `timeout` passes; returns stop_requested().
  bool wait_for(std::chrono::milliseconds timeout);

  // Exit code used for the immediate exit on a second signal: 128 + sig.
  static int immediate_exit_code(int sig) { return 128 + sig; }

 private:
  void watch();
  void on_stop(int sig);

  std::function<void()> on_hangup_;
  std::stop_source stop_;
  std::atomic<int> stop_signal_{0};
  std::mutex mutex_;
  std::condition_variable cv_;
  int pipe_[2] = {-1, -1};
  std::thread watcher_;
};

// Holds the shutdown to its deadline from outside the code that may be stuck. At `deadline`
// it runs `at_deadline` (abort every transfer in flight, so jobs reach their next safe point
// and go back to the queue); if the process is still running `grace` later (a stuck store
// call, a library that ignores aborts), it logs so and ends the process with `exit_code`:
// every job is durable, and a supervisor must not wait longer than it was promised.
// Destroying it disarms it.
class ShutdownWatchdog {
 public:
  ShutdownWatchdog(std::chrono::steady_clock::time_point deadline,
                   std::function<void()> at_deadline, std::chrono::milliseconds grace,
                   int exit_code = 0);
  ~ShutdownWatchdog();
  ShutdownWatchdog(const ShutdownWatchdog&) = delete;
  ShutdownWatchdog& operator=(const ShutdownWatchdog&) = delete;

 private:
  void run(std::stop_token st);

  const std::chrono::steady_clock::time_point deadline_;
  std::function<void()> at_deadline_;
  const std::chrono::milliseconds grace_;
  const int exit_code_;
  std::mutex mutex_;
  std::condition_variable_any cv_;
  std::jthread thread_;  // last: starts after the fields above exist
};

}  // namespace tgscribe::app
