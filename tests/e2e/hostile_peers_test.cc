// Hostile peers and personal files, through the real binary: DATA_DIR private to the service
// user, temporary media swept at start and after each job, a 5,000-byte file name cut before it
// reaches the filesystem or Telegram, no core dumps, and a webhook that keeps serving Telegram
// while slow clients hold connections to it.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "common/utf8.h"
#include "e2e/bot_deployment.h"
#include "support/loopback_client.h"

namespace tgscribe {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;
using telegram::testing::MessageSpec;
using testing::BotDeployment;

// The project's own UTF-8 check: sanitize() changes nothing only in valid UTF-8.
bool valid_utf8(const std::string& s) { return utf8::sanitize(s) == s; }

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  if (lstat(p.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

// Entries of DATA_DIR/tmp (none when it does not exist).
std::vector<std::string> tmp_entries(const fs::path& data_dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(data_dir / "tmp", ec)) {
    out.push_back(e.path().filename().string());
  }
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + " ";
  return out;
}

// Raises the soft core-file limit that children inherit, so a binary that does not turn core
// dumps off shows a non-zero limit; restored when it goes out of scope.
class CoreLimitForChildren {
 public:
  CoreLimitForChildren() {
    getrlimit(RLIMIT_CORE, &saved_);
    rlimit raised = saved_;
    raised.rlim_cur = saved_.rlim_max == RLIM_INFINITY ? 1 << 20 : saved_.rlim_max;
    setrlimit(RLIMIT_CORE, &raised);
  }
  ~CoreLimitForChildren() { setrlimit(RLIMIT_CORE, &saved_); }

 private:
  rlimit saved_{};
};

std::string core_limit_line(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Max core file size", 0) == 0) return line;
  }
  return "";
}

class HostilePeers : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(testing::spoken_clip().empty()) << "espeak-ng or ffmpeg failed";
  }
};

TEST_F(HostilePeers, DataDirIsPrivateLongNamesAreCutAndNothingIsLeftInTmp) {
  BotDeployment d;
  fs::path data = d.dir / "data";
  ASSERT_FALSE(fs::exists(data));
  {
    CoreLimitForChildren raised;
    d.start("bot");
  }
  ASSERT_TRUE(d.wait_healthy("bot")) << d.logs();

  // No core file can carry the token out.
  std::string core = core_limit_line(d.proc("bot").child->pid());
  ASSERT_FALSE(core.empty());
  EXPECT_NE(core.find(" 0 "), std::string::npos) << core;

  // A 5,000-byte name of 2- and 3-byte characters, with a path in front of it.
  std::string name = "../../";
  while (name.size() < 5000) name += "Запись-会議-";
  name += ".ogg";
  auto file = d.tg.add_file(testing::vary_ogg(testing::spoken_clip(), 1), name, "audio/ogg");
  constexpr int64_t kChat = 5001;
  d.tg.push_media(MessageSpec{.chat_id = kChat, .user_id = kChat}, "audio", file);
  ASSERT_TRUE(testing::eventually(
      [&] { return d.transcripts_in(kChat) >= 1 && d.documents_in(kChat) >= 2; }, seconds(40)))
      << d.logs();

  for (const auto& c : d.delivered()) {
    if (c.method != "sendDocument") continue;
    auto doc = c.files.find("document");
    ASSERT_NE(doc, c.files.end());
    const std::string& got = doc->second.filename;
    EXPECT_LE(got.size(), 124u) << got;  // 120-byte stem + ".txt"/".srt"
    EXPECT_TRUE(valid_utf8(got)) << got;
    EXPECT_EQ(got.find('/'), std::string::npos) << got;
    EXPECT_EQ(got.rfind("Запись-会議-", 0), 0u) << got;
  }

  // The job's media and the documents' temporary copies are gone once it is done.
  EXPECT_TRUE(testing::eventually([&] { return tmp_entries(data).empty(); }, seconds(10)))
      << joined(tmp_entries(data));

  // DATA_DIR and everything in it belongs to the service user alone.
  EXPECT_EQ(mode_of(data), 0700u);
  size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(data)) {
    unsigned mode = mode_of(e.path());
    EXPECT_EQ(mode & 077, 0u) << e.path() << " has mode " << std::oct << mode;
    files += e.is_regular_file();
  }
  EXPECT_GT(files, 0u);
  EXPECT_EQ(mode_of(data / "tgscribe.db"), 0600u);
  EXPECT_EQ(d.stop("bot"), 0);
}

TEST_F(HostilePeers, LeftoversOfAKilledRunAreSweptAtStart) {
  BotDeployment d;
  fs::path data = d.dir / "data";
  fs::create_directories(data / "tmp" / "job-99999999-0123456789abcdef");
  fs::create_directories(data / "tmp" / "out-job-7-doc-txt");
  std::ofstream(data / "tmp" / "job-99999999-0123456789abcdef" / "chunk-0.flac") << "audio";
  std::ofstream(data / "tmp" / "out-job-7-doc-txt" / "transcript.txt") << "personal words";
  std::ofstream(data / "tmp" / "job-42.ogg") << "a voice note";
  ASSERT_EQ(tmp_entries(data).size(), 3u);

  d.start("bot");
  ASSERT_TRUE(d.wait_healthy("bot")) << d.logs();
  EXPECT_TRUE(testing::eventually([&] { return tmp_entries(data).empty(); }, seconds(10)))
      << joined(tmp_entries(data)) << "\n"
      << d.logs();

  // And a job that runs now leaves nothing either.
  constexpr int64_t kChat = 5002;
  d.push_voice(kChat, d.add_voice(2));
  ASSERT_TRUE(testing::eventually([&] { return d.answered(kChat); }, seconds(40))) << d.logs();
  EXPECT_TRUE(testing::eventually([&] { return tmp_entries(data).empty(); }, seconds(10)))
      << joined(tmp_entries(data));
  EXPECT_EQ(d.stop("bot"), 0);
}

// --- the webhook under attack -----------------------------------------------------------

// 100 slow clients (each from its own loopback address) trickle request heads and one client
// streams headers without end; Telegram's update still gets its 200 and its transcript.
TEST_F(HostilePeers, WebhookServesTelegramWhileSlowClientsHoldConnections) {
  BotDeployment d;
  int port = testing::free_port();
  const std::string secret = "hook_secret_1";
  d.start("bot", {{"WEBHOOK_URL", "https://bot.example.com/tg/hook"},
                  {"WEBHOOK_SECRET", secret},
                  {"WEBHOOK_LISTEN", "127.0.0.1:" + std::to_string(port)},
                  {"WEBHOOK_MAX_CONNECTIONS", "4"}});
  ASSERT_TRUE(d.wait_healthy("bot")) << d.logs();

  std::vector<int> slow;
  for (int i = 0; i < 100; ++i) {
    int fd = testing::connect_loopback(port, ("127.0.2." + std::to_string(i + 1)).c_str());
    ASSERT_GE(fd, 0);
    slow.push_back(fd);
  }
  std::atomic<bool> done{false};
  std::thread dripper([&] {
    std::string head = "POST /tg/hook HTTP/1.1\r\nHost: x\r\nX-Pad: ";
    for (size_t i = 0; !done; ++i) {
      for (int fd : slow) {
        char c = i < head.size() ? head[i] : 'a';
        (void)!send(fd, &c, 1, MSG_NOSIGNAL);
      }
      for (int k = 0; k < 20 && !done; ++k)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  std::thread endless([&] {
    int fd = testing::connect_loopback(port, "127.0.0.3");
    if (fd < 0) return;
    timeval tv{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    std::string start = "POST /tg/hook HTTP/1.1\r\nHost: x\r\n";
    (void)!send(fd, start.data(), start.size(), MSG_NOSIGNAL);
    std::string line = "X-More: header\r\n";
    for (int i = 0; i < (64 << 20) / 16 && !done; ++i) {
      if (send(fd, line.data(), line.size(), MSG_NOSIGNAL) <= 0) break;
    }
    close(fd);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let the attack take hold

  constexpr int64_t kChat = 5003;
  auto file = d.add_voice(3);
  nlohmann::json update = {
      {"update_id", 900001},
      {"message", d.tg.make_message(MessageSpec{.chat_id = kChat, .user_id = kChat})}};
  update["message"]["voice"] = {{"file_id", file.file_id},
                                {"file_unique_id", file.file_unique_id},
                                {"duration", 3},
                                {"mime_type", "audio/ogg"},
                                {"file_size", file.size}};
  httplib::Client telegram("127.0.0.1", port);
  telegram.set_connection_timeout(10, 0);
  telegram.set_read_timeout(10, 0);
  auto res = telegram.Post("/tg/hook", {{"X-Telegram-Bot-Api-Secret-Token", secret}}, update.dump(),
                           "application/json");
  done = true;
  dripper.join();
  endless.join();
  for (int fd : slow) close(fd);
  ASSERT_TRUE(res) << httplib::to_string(res.error()) << "\n" << d.logs();
  EXPECT_EQ(res->status, 200);
  EXPECT_TRUE(testing::eventually([&] { return d.transcripts_in(kChat) >= 1; }, seconds(40)))
      << d.logs();
  EXPECT_EQ(d.stop("bot"), 0);
}

}  // namespace
}  // namespace tgscribe
