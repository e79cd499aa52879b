#pragma once
// What the job-path end-to-end tests (and bench/burst_bench.cc) share: real `tgscribe bot`
// processes on one DATA_DIR (SQLite) or one redis-server, against the fake Telegram and the
// fake Groq; distinct voice notes made from one spoken clip; and counts of what each chat got.
//
// Every process calls the fake Telegram through its own url_for(<name>#<run>), so a call can
// be traced to the run that made it (e.g. the message a crashed run sent last).
#include <httplib.h>
#include <signal.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "engine/testing/fake_openai.h"
#include "media/testing/media_fixtures.h"
#include "support/test_util.h"
#include "telegram/testing/fake_bot_api.h"

namespace tgscribe::testing {

// `ogg` (Ogg Opus) with the vendor string of its OpusTags header overwritten by the number
// `n` and that page's checksum redone: the same speech in a file with another content hash,
// so neither the cache nor coalescing can answer it from another note. "" when `ogg` is not
// laid out as expected.
inline std::string vary_ogg(std::string ogg, int n) {
  size_t page = ogg.find("OggS", 4);  // the second page holds OpusTags
  if (page == std::string::npos || ogg.size() < page + 27) return "";
  size_t segments = static_cast<unsigned char>(ogg[page + 26]);
  size_t data = page + 27 + segments;
  size_t body = 0;
  for (size_t i = 0; i < segments; ++i) body += static_cast<unsigned char>(ogg[page + 27 + i]);
  if (ogg.compare(data, 8, "OpusTags") != 0 || ogg.size() < data + body) return "";
  uint32_t vendor_len = 0;
  for (int i = 3; i >= 0; --i) {
    vendor_len = (vendor_len << 8) | static_cast<unsigned char>(ogg[data + 8 + i]);
  }
  std::string tag = "v" + std::to_string(n);
  if (vendor_len < tag.size() || 12 + vendor_len > body) return "";
  ogg.replace(data + 12, tag.size(), tag);
  std::string p = ogg.substr(page, data + body - page);
  for (int i = 0; i < 4; ++i) p[22 + i] = 0;
  uint32_t crc = media::testing::ogg_crc(p);
  for (int i = 0; i < 4; ++i) ogg[page + 22 + i] = static_cast<char>((crc >> (8 * i)) & 0xff);
  return ogg;
}

// One spoken clip (Ogg Opus), made once per test process; "" when espeak-ng/ffmpeg failed.
inline const std::string& spoken_clip() {
  static const std::string clip = [] {
    static TempDir dir;
    auto path = dir / "clip.ogg";
    return make_speech("testing one two three", path) ? read_file(path) : std::string();
  }();
  return clip;
}

class BotDeployment {
 public:
  struct Process {
    std::string name;
    int runs = 0;
    std::filesystem::path log;
    int ops_port = 0;
    std::unique_ptr<ChildProcess> child;
  };

  BotDeployment() {
    engine.start();
    env = {{"TELEGRAM_BOT_TOKEN", tg.token()},
           {"TRANSCRIBER", "groq"},
           {"GROQ_API_KEY", "test-openai-key"},
           {"GROQ_API_URL", engine.url()},
           {"DATA_DIR", (dir / "data").string()},
           {"QUEUE_LEASE_S", "5"},
           {"QUEUE_RETRY_DELAY", "1"},
           {"SHUTDOWN_TIMEOUT_S", "2"},
           {"LOG_LEVEL", "debug"},
           {"ENV_FILE", ""},
           {"OPENAI_API_KEY", ""},
           {"DEEPGRAM_API_KEY", ""},
           {"WEBHOOK_URL", ""},
           {"WEBHOOK_SECRET", ""},
           {"TGSCRIBE_FAILPOINTS", ""},
           // Every job's status reply at once: the tests count it, and with the default delay
           // a job faster than 2 s would have none (first_reply_test.cc covers that).
           {"STATUS_DELAY_MS", "0"}};
  }
  BotDeployment(const BotDeployment&) = delete;
  BotDeployment& operator=(const BotDeployment&) = delete;

  // Several processes on one Redis, as redis_scale_test.cc runs them.
  void use_redis(const std::string& url) {
    env["QUEUE_TYPE"] = "redis";
    env["CACHE_TYPE"] = "redis";
    env["REDIS_URL"] = url;
  }

  // Starts process `name` (again, if it ran before: same log, same DATA_DIR unless `extra`
  // says otherwise) with `env` plus `extra` ("" values unset). Does not wait for health.
  Process& start(const std::string& name, const std::map<std::string, std::string>& extra = {}) {
    Process& p = procs_[name];
    if (p.child && p.child->running()) p.child->kill_hard();
    p.name = name;
    ++p.runs;
    if (p.log.empty()) p.log = dir / (name + ".log");
    p.ops_port = free_port();
    auto e = env;
    e["TELEGRAM_API_URL"] = tg.url_for(client(name));
    e["HTTP_LISTEN"] = "127.0.0.1:" + std::to_string(p.ops_port);
    e["WEBHOOK_LISTEN"] = "127.0.0.1:" + std::to_string(free_port());
    for (const auto& [k, v] : extra) e[k] = v;
    append_file(p.log,
                "=== run " + std::to_string(p.runs) + " (" + e["TGSCRIBE_FAILPOINTS"] + ")\n");
    p.child = std::make_unique<ChildProcess>(std::vector<std::string>{tgscribe_binary(), "bot"}, e,
                                             p.log, dir.path());
    return p;
  }

  Process& proc(const std::string& name) { return procs_.at(name); }
  bool started(const std::string& name) const { return procs_.count(name) > 0; }
  bool running(const std::string& name) {
    auto it = procs_.find(name);
    return it != procs_.end() && it->second.child && it->second.child->running();
  }
  // The client tag of `name`'s current run, as RecordedCall::client shows it.
  std::string client(const std::string& name) const {
    auto it = procs_.find(name);
    return name + "-" + std::to_string(it == procs_.end() ? 0 : it->second.runs);
  }

  bool healthy(const std::string& name) {
    httplib::Client c("127.0.0.1", proc(name).ops_port);
    c.set_connection_timeout(1);
    auto r = c.Get("/healthz");
    return r && r->status == 200;
  }
  bool wait_healthy(const std::string& name,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    // A process that died on start (bad configuration) fails at once, not after the timeout.
    eventually([&] { return healthy(name) || !running(name); }, timeout);
    return healthy(name);
  }

  // Waits until `name` exits by itself or `give_up` holds; the exit code (-1: by a signal),
  // or nullopt when it still runs.
  template <typename Pred>
  std::optional<int> wait_exit(const std::string& name, std::chrono::milliseconds timeout,
                               Pred give_up) {
    eventually([&] { return !running(name) || give_up(); }, timeout);
    if (running(name)) return std::nullopt;
    return proc(name).child->signal_and_wait(0, std::chrono::seconds(0));
  }
  std::optional<int> wait_exit(const std::string& name, std::chrono::milliseconds timeout) {
    return wait_exit(name, timeout, [] { return false; });
  }
  // SIGTERM and wait; the exit code (-1 when it had to be killed).
  int stop(const std::string& name) {
    return proc(name).child->signal_and_wait(SIGTERM, std::chrono::seconds(20));
  }

  std::string log_of(const std::string& name) { return read_file(proc(name).log); }
  // The last `tail` lines of every process's log, for failure messages.
  std::string logs(size_t tail = 150) {
    std::string out;
    for (const auto& [name, p] : procs_) {
      std::string text = read_file(p.log);
      size_t pos = text.size();
      for (size_t n = 0; n <= tail && pos != std::string::npos && pos > 0; ++n) {
        pos = text.rfind('\n', pos - 1);
      }
      out += "--- " + name + ".log" + (pos == std::string::npos ? "" : " (tail)") + "\n" +
             (pos == std::string::npos ? text : text.substr(pos + 1));
    }
    return out;
  }

  // A distinct voice note (variant n of the spoken clip) registered with the fake Telegram.
  telegram::testing::FakeFile add_voice(int n) {
    return tg.add_file(vary_ogg(spoken_clip(), n), "voice.oga", "audio/ogg");
  }
  telegram::testing::Pushed push_voice(int64_t user, const telegram::testing::FakeFile& file) {
    return tg.push_media(telegram::testing::MessageSpec{.chat_id = user, .user_id = user}, "voice",
                         file);
  }

  // --- what the chats got (calls Telegram accepted) ----------------------------------------
  static bool is_transcript(const telegram::testing::RecordedCall& c) {
    return c.method == "sendMessage" &&
           c.text().find("Hello from the fake engine") != std::string::npos;
  }
  // What a delivered message is, for spotting duplicates: "<chat> transcript", "<chat>
  // document <name>", "<chat> reply <text>" (status replies, notices: other sendMessage).
  static std::string message_key(const telegram::testing::RecordedCall& c) {
    std::string chat = std::to_string(c.chat_id());
    if (c.method == "sendDocument") {
      auto doc = c.files.find("document");
      return chat + " document " + (doc == c.files.end() ? "?" : doc->second.filename);
    }
    if (is_transcript(c)) return chat + " transcript";
    return chat + " reply " + c.text();
  }
  // Messages and documents Telegram accepted, in order.
  std::vector<telegram::testing::RecordedCall> delivered() const {
    std::vector<telegram::testing::RecordedCall> out;
    for (auto& c : tg.calls()) {
      if ((c.method == "sendMessage" || c.method == "sendDocument") && c.status == 200) {
        out.push_back(std::move(c));
      }
    }
    return out;
  }
  size_t transcripts_in(int64_t chat) const {
    size_t n = 0;
    for (const auto& c : delivered()) n += c.chat_id() == chat && is_transcript(c);
    return n;
  }
  size_t documents_in(int64_t chat, const std::string& filename = "") const {
    size_t n = 0;
    for (const auto& c : delivered()) {
      auto doc = c.files.find("document");
      n += c.method == "sendDocument" && c.chat_id() == chat &&
           (filename.empty() || (doc != c.files.end() && doc->second.filename == filename));
    }
    return n;
  }
  // sendMessage answers other than the transcript: the status reply, notices, refusals.
  size_t replies_in(int64_t chat) const {
    size_t n = 0;
    for (const auto& c : delivered()) {
      n += c.method == "sendMessage" && c.chat_id() == chat && !is_transcript(c);
    }
    return n;
  }
  size_t messages_with(int64_t chat, const std::string& needle) const {
    size_t n = 0;
    for (const auto& c : delivered()) {
      n += c.method == "sendMessage" && c.chat_id() == chat &&
           c.text().find(needle) != std::string::npos;
    }
    return n;
  }
  // A voice note fully answered: its transcript and both default documents (txt, srt).
  bool answered(int64_t chat) const {
    return transcripts_in(chat) >= 1 && documents_in(chat, "transcript.txt") >= 1 &&
           documents_in(chat, "transcript.srt") >= 1 && replies_in(chat) >= 1;
  }

  TempDir dir;
  telegram::testing::FakeBotApi tg;
  engine::testing::FakeOpenAi engine;
  std::map<std::string, std::string> env;  // common to every process

 private:
  static void append_file(const std::filesystem::path& p, const std::string& text) {
    std::ofstream(p, std::ios::app) << text;
  }

  std::map<std::string, Process> procs_;  // last: the processes stop before the fakes
};

}  // namespace tgscribe::testing
