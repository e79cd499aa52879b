#pragma once
// Helpers shared by every test binary: temporary directories, free loopback ports, running
// processes, and generated speech (espeak-ng rendered by the ffmpeg CLI into any format;
// tests may spawn ffmpeg, the program never does).
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/remove_on_exit.h"
#include "support/word_error_rate.h"

namespace tgscribe::testing {

// A fresh directory under the system's temp directory, removed with everything in it at the
// end of the test.
class TempDir {
 public:
  TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return dir_.path(); }
  std::filesystem::path operator/(const std::string& name) const { return dir_.path() / name; }

 private:
  RemoveOnExit dir_;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_port();

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  std::string out;
  std::string err;
};

// Runs argv (argv[0] looked up in PATH) with extra environment entries ("" value unsets),
// optional stdin text, and a timeout after which the process is killed.
ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env = {},
                          const std::string& stdin_text = {},
                          std::chrono::seconds timeout = std::chrono::seconds(120),
                          const std::filesystem::path& cwd = {});

// A background child process (e.g. the bot, redis-server) killed on destruction.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv,
               const std::map<std::string, std::string>& env = {},
               const std::filesystem::path& log_file = {}, const std::filesystem::path& cwd = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  pid_t pid() const { return pid_; }
  bool running();
  void kill_hard();  // SIGKILL and reap
  // Sends sig and waits up to `timeout` for exit; returns the exit code (-1 if signalled or
  // still running, in which case it is killed).
  int signal_and_wait(int sig, std::chrono::seconds timeout);

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// Path of the built tgscribe binary (TGSCRIBE_BINARY, set by CMake for every test).
std::string tgscribe_binary();

bool have_command(const std::string& name);

// Speaks `text` with espeak-ng (English voice unless `voice` says otherwise) and renders it to
// `out` with the ffmpeg CLI; the container/codec follows the extension (.wav .ogg(opus) .oga
// .mp3 .m4a .flac .webm .mp4(with a video track) .mkv .mov). `extra_ffmpeg_args` go before the
// output name. Returns false (and the test should fail) when a tool is missing or fails.
// With TGSCRIBE_TEST_MEDIA_CACHE naming a directory (./scripts/test sets one per run), a file
// made once from the same text, voice and arguments is copied from there: each test is a
// process of its own under ctest, and otherwise each one ran espeak-ng and ffmpeg again for
// the same 43 clips (measured: the suite's CPU 487 s -> 370 s on 2 cores).
bool make_speech(const std::string& text, const std::filesystem::path& out,
                 const std::vector<std::string>& extra_ffmpeg_args = {},
                 const std::string& voice = "en-us");

// word_error_rate(): support/word_error_rate.h, shared with the benches.

std::string read_file(const std::filesystem::path& p);
void write_file(const std::filesystem::path& p, const std::string& content);

// Polls `pred` every 20 ms until true or timeout; returns the last value.
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

}  // namespace tgscribe::testing
