#include "support/test_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/sha256.h"

extern char** environ;

namespace tgscribe::testing {
namespace fs = std::filesystem;

TempDir::TempDir() : dir_(make_temp_dir(fs::temp_directory_path(), "tgscribe-test-")) {}

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

namespace {

std::vector<std::string> build_env(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : extra) {
    if (v.empty())
      env.erase(k);
    else
      env[k] = v;
  }
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

pid_t spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
            int in_fd, int out_fd, int err_fd, const fs::path& cwd) {
  auto envs = build_env(env);
  std::vector<char*> cargv, cenv;
  for (auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (auto& e : envs) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    if (in_fd >= 0) dup2(in_fd, 0);
    if (out_fd >= 0) dup2(out_fd, 1);
    if (err_fd >= 0) dup2(err_fd, 2);
    for (int fd = 3; fd < 1024; ++fd) close(fd);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(127);
    environ = cenv.data();
    execvp(cargv[0], cargv.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env,
                          const std::string& stdin_text, std::chrono::seconds timeout,
                          const fs::path& cwd) {
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (pipe(in_pipe) || pipe(out_pipe) || pipe(err_pipe)) throw std::runtime_error("pipe");
  pid_t pid = spawn(argv, env, in_pipe[0], out_pipe[1], err_pipe[1], cwd);
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  std::thread writer([fd = in_pipe[1], stdin_text] {
    size_t off = 0;
    signal(SIGPIPE, SIG_IGN);
    while (off < stdin_text.size()) {
      ssize_t n = write(fd, stdin_text.data() + off, stdin_text.size() - off);
      if (n <= 0) break;
      off += n;
    }
    close(fd);
  });
  ProcessResult r;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  bool killed = false;
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0 && !killed) {
      kill(-pid, SIGKILL);
      killed = true;
    }
    int n = poll(fds, 2, killed ? 1000 : static_cast<int>(std::min<long>(left, 1000)));
    if (n < 0 && errno == EINTR) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? r.out : r.err).append(buf, got);
      }
    }
  }
  writer.join();
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  return r;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& env, const fs::path& log_file,
                           const fs::path& cwd) {
  int log_fd = -1;
  if (!log_file.empty()) log_fd = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  int null_fd = open("/dev/null", O_RDONLY);
  pid_ = spawn(argv, env, null_fd, log_fd, log_fd, cwd);
  if (log_fd >= 0) close(log_fd);
  close(null_fd);
}

ChildProcess::~ChildProcess() {
  if (running()) kill_hard();
}

bool ChildProcess::running() {
  if (status_) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    status_ = status;
    return false;
  }
  return r == 0;
}

void ChildProcess::kill_hard() {
  if (status_) return;
  kill(-pid_, SIGKILL);
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  status_ = status;
}

int ChildProcess::signal_and_wait(int sig, std::chrono::seconds timeout) {
  if (!running()) {
    return WIFEXITED(*status_) ? WEXITSTATUS(*status_) : -1;
  }
  kill(pid_, sig);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) return WIFEXITED(*status_) ? WEXITSTATUS(*status_) : -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill_hard();
  return -1;
}

std::string tgscribe_binary() {
  const char* b = std::getenv("TGSCRIBE_BINARY");
  return b ? b : "tgscribe";
}

bool have_command(const std::string& name) {
  return run_process({"sh", "-c", "command -v " + name}).exit_code == 0;
}

namespace {

// Where make_speech keeps what it made for the other test processes of this run, or "" (see
// test_util.h). Keyed by make_speech's own arguments, which decide both command lines (the
// cache lives for one run, so the code that turns them into command lines cannot change).
fs::path cached_speech(const std::string& text, const std::string& ext,
                       const std::vector<std::string>& extra_ffmpeg_args,
                       const std::string& voice) {
  const char* dir = std::getenv("TGSCRIBE_TEST_MEDIA_CACHE");
  if (dir == nullptr || *dir == '\0') return {};
  std::vector<std::string> parts = {text, ext, voice};
  parts.insert(parts.end(), extra_ffmpeg_args.begin(), extra_ffmpeg_args.end());
  Sha256 key;
  for (const auto& part : parts) {
    key.update(part);
    key.update(std::string_view("\0", 1));
  }
  return fs::path(dir) / (key.hex_digest() + ext);
}

}  // namespace

bool make_speech(const std::string& text, const fs::path& out,
                 const std::vector<std::string>& extra_ffmpeg_args, const std::string& voice) {
  std::string ext = out.extension().string();
  fs::path cached = cached_speech(text, ext, extra_ffmpeg_args, voice);
  std::error_code ec;
  if (!cached.empty() && fs::copy_file(cached, out, fs::copy_options::overwrite_existing, ec)) {
    return true;
  }
  fs::path wav = out;
  wav += ".espeak.wav";
  auto r = run_process({"espeak-ng", "-v", voice, "-s", "150", "-w", wav.string(), text});
  if (r.exit_code != 0) return false;
  std::vector<std::string> args = {"ffmpeg",    "-nostdin", "-hide_banner",
                                   "-loglevel", "error",    "-y"};
  if (ext == ".mp4" || ext == ".mkv" || ext == ".mov") {
    args.insert(args.end(), {"-f", "lavfi", "-i", "color=c=blue:s=64x48:r=10", "-i", wav.string(),
                             "-shortest", "-c:v", "mpeg4", "-c:a", "aac"});
  } else {
    args.insert(args.end(), {"-i", wav.string()});
    if (ext == ".ogg" || ext == ".oga" || ext == ".opus") {
      args.insert(args.end(), {"-c:a", "libopus", "-b:a", "32k", "-f", "ogg"});
    } else if (ext == ".webm") {
      args.insert(args.end(), {"-c:a", "libopus", "-b:a", "32k"});
    } else if (ext == ".m4a") {
      args.insert(args.end(), {"-c:a", "aac", "-b:a", "64k"});
    } else if (ext == ".mp3") {
      args.insert(args.end(), {"-c:a", "libmp3lame", "-b:a", "64k"});
    }
  }
  args.insert(args.end(), extra_ffmpeg_args.begin(), extra_ffmpeg_args.end());
  args.push_back(out.string());
  r = run_process(args);
  fs::remove(wav);
  if (r.exit_code != 0) return false;
  if (!cached.empty()) {
    // Another process may be making the same file: each writes its own copy and renames it
    // into place, so a reader sees a whole file or none.
    fs::create_directories(cached.parent_path(), ec);
    fs::path tmp = cached;
    tmp += ".tmp" + std::to_string(::getpid());
    if (fs::copy_file(out, tmp, fs::copy_options::overwrite_existing, ec)) {
      fs::rename(tmp, cached, ec);
      if (ec) fs::remove(tmp, ec);
    }
  }
  return true;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const fs::path& p, const std::string& content) {
  std::ofstream out(p, std::ios::binary);
  out << content;
}

}  // namespace tgscribe::testing
