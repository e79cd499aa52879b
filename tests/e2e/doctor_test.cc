// `tgscribe doctor` through the real binary: the fake Telegram and fake engines (loopback
// servers speaking the real wire formats), a real redis-server, real SQLite files and real
// directories. Each test checks the lines an operator reads, the exit code, and that no secret
// reaches the output.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <ctime>
#include <sstream>

#include "engine/testing/fake_deepgram.h"
#include "engine/testing/fake_openai.h"
#include "store/testing/redis_server.h"
#include "support/test_util.h"
#include "telegram/testing/fake_bot_api.h"

namespace tgscribe {
namespace {

using testing::ProcessResult;

const char* kGroqKey = "test-openai-key";
const char* kDeepgramKey = "test-deepgram-key";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// The summary line; "" when there is no output.
std::string last_line(const std::string& text) {
  auto l = lines_of(text);
  return l.empty() ? "" : l.back();
}

class Doctor : public ::testing::Test {
 protected:
  void SetUp() override {
    groq_.start();
    deepgram_.start();
    std::filesystem::create_directories(dir_ / "data");
    // Everything configured and reachable: a local Bot API server in local mode, Groq with
    // Deepgram as fallback, SQLite stores in DATA_DIR.
    env_ = {{"ENV_FILE", ""},
            {"TELEGRAM_BOT_TOKEN", tg_.token()},
            {"TELEGRAM_API_URL", tg_.url()},
            {"TELEGRAM_LOCAL_MODE", "true"},
            {"TRANSCRIBER", "groq"},
            {"TRANSCRIBER_FALLBACK", "deepgram"},
            {"GROQ_API_KEY", kGroqKey},
            {"GROQ_API_URL", groq_.url()},
            {"DEEPGRAM_API_KEY", kDeepgramKey},
            {"DEEPGRAM_API_URL", deepgram_.url()},
            {"OPENAI_API_KEY", ""},
            {"DATA_DIR", (dir_ / "data").string()},
            {"MAX_FILE_SIZE_MB", "10"},
            {"CACHE_TYPE", "sqlite"},
            {"QUEUE_TYPE", "sqlite"},
            {"REDIS_URL", ""},
            {"WEBHOOK_URL", ""},
            {"WEBHOOK_SECRET", ""},
            {"BOT_ROLE", ""},
            {"LOG_LEVEL", ""}};
  }

  ProcessResult doctor(const std::map<std::string, std::string>& extra = {},
                       std::vector<std::string> args = {}) {
    auto env = env_;
    for (const auto& [k, v] : extra) env[k] = v;
    args.insert(args.begin(), {testing::tgscribe_binary(), "doctor"});
    // Every call doctor makes has a deadline of seconds; a minute means it hung.
    auto r = testing::run_process(args, env, {}, std::chrono::seconds(60), dir_.path());
    EXPECT_NE(r.exit_code, -1) << "doctor was killed (hung?)\n" << r.out << r.err;
    return r;
  }

  // The line of check `name` ("token", "engine groq", ...); "" when there is none.
  static std::string line(const ProcessResult& r, const std::string& name) {
    for (const auto& l : lines_of(r.out)) {
      if (l.size() > 6 && l.compare(6, name.size() + 1, name + ":") == 0) return l;
    }
    return "";
  }
  static bool starts(const std::string& l, const std::string& status) {
    return l.rfind(status, 0) == 0;
  }
  static bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }

  testing::TempDir dir_;
  telegram::testing::FakeBotApi tg_;
  engine::testing::FakeOpenAi groq_;
  engine::testing::FakeDeepgram deepgram_;
  std::map<std::string, std::string> env_;
};

TEST_F(Doctor, AllChecksPassExitZeroWithOneLinePerCheck) {
  auto r = doctor();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  auto l = lines_of(r.out);
  ASSERT_FALSE(l.empty());
  for (const auto& name : {"config", "telegram api", "token", "webhook", "data dir", "sqlite",
                           "ffmpeg", "engine groq", "engine deepgram"}) {
    EXPECT_TRUE(starts(line(r, name), "ok    ")) << name << "\n" << r.out;
  }
  EXPECT_EQ(line(r, "redis"), "") << "Redis is not used here";
  std::string who = "@";  // (not "@" + ...: GCC 12 warns falsely on that, -Wrestrict)
  who += tg_.bot_username() + " (tgscribe test)";
  EXPECT_TRUE(has(line(r, "token"), who)) << r.out;
  EXPECT_TRUE(has(line(r, "webhook"), "long polling")) << r.out;
  EXPECT_TRUE(has(line(r, "engine groq"), "1 request")) << r.out;  // the cost is stated
  EXPECT_TRUE(has(line(r, "engine deepgram"), "1 request")) << r.out;
  EXPECT_TRUE(has(line(r, "ffmpeg"), "libopus")) << r.out;
  EXPECT_EQ(last_line(r.out), "doctor: all 9 checks passed") << r.out;
  // Telegram was asked, and each engine got exactly one request with real audio of ~1 s.
  EXPECT_EQ(tg_.call_count("getMe"), 1u);
  EXPECT_EQ(tg_.call_count("getWebhookInfo"), 1u);
  for (const auto& reqs : {groq_.requests(), deepgram_.requests()}) {
    ASSERT_EQ(reqs.size(), 1u) << r.out;
    EXPECT_NEAR(reqs[0].duration_s, 1.0, 0.2);
    EXPECT_TRUE(reqs[0].problems.empty()) << reqs[0].problems.front();
  }
  EXPECT_EQ(groq_.requests()[0].filename, "doctor.ogg");
  // Secrets never shown; doctor leaves nothing in DATA_DIR.
  EXPECT_FALSE(has(r.out + r.err, tg_.token()));
  EXPECT_FALSE(has(r.out + r.err, kGroqKey));
  EXPECT_FALSE(has(r.out + r.err, kDeepgramKey));
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "data"));
}

TEST_F(Doctor, RefusedTokenFailsWithoutPrintingIt) {
  const std::string wrong = "987654321:WRONG_token_abcdefghijklmnopqrstuv";
  auto r = doctor({{"TELEGRAM_BOT_TOKEN", wrong}});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(starts(line(r, "token"), "FAIL  ")) << r.out;
  EXPECT_TRUE(has(line(r, "token"), "401")) << r.out;
  EXPECT_TRUE(has(line(r, "token"), "TELEGRAM_BOT_TOKEN")) << r.out;
  EXPECT_TRUE(starts(line(r, "webhook"), "skip  ")) << r.out;
  EXPECT_FALSE(has(r.out + r.err, wrong));
  EXPECT_FALSE(has(r.out + r.err, "WRONG_token"));
  EXPECT_TRUE(has(last_line(r.out), "1 of 8 checks failed")) << r.out;
  // The other checks still ran: one doctor run shows everything to fix.
  EXPECT_TRUE(starts(line(r, "engine groq"), "ok    ")) << r.out;
}

TEST_F(Doctor, MissingTokenIsAConfigurationError) {
  auto r = doctor({{"TELEGRAM_BOT_TOKEN", ""}});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(starts(line(r, "token"), "FAIL  ")) << r.out;
  EXPECT_TRUE(has(line(r, "token"), "TELEGRAM_BOT_TOKEN is not set")) << r.out;
  EXPECT_EQ(tg_.call_count(), 0u);
}

TEST_F(Doctor, RefusedEngineKeysFail) {
  const std::string groq_key = "gsk_wrong_doctor_key_1234567890";
  const std::string dg_key = "dg_wrong_doctor_key_0987654321";
  auto r = doctor({{"GROQ_API_KEY", groq_key}, {"DEEPGRAM_API_KEY", dg_key}});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(starts(line(r, "engine groq"), "FAIL  engine groq: key refused (HTTP 401")) << r.out;
  EXPECT_TRUE(has(line(r, "engine groq"), "GROQ_API_KEY")) << r.out;
  EXPECT_TRUE(starts(line(r, "engine deepgram"), "FAIL  ")) << r.out;
  EXPECT_TRUE(has(line(r, "engine deepgram"), "DEEPGRAM_API_KEY")) << r.out;
  EXPECT_FALSE(has(r.out + r.err, groq_key));
  EXPECT_FALSE(has(r.out + r.err, dg_key));
  // One attempt each: doctor does not retry a refused key.
  EXPECT_EQ(groq_.requests().size(), 1u);
  EXPECT_EQ(deepgram_.requests().size(), 1u);
}

TEST_F(Doctor, UnreachableEngineFailsWithinTheDeadline) {
  groq_.script_next(engine::testing::FakeReply::error(503));
  auto r =
      doctor({{"DEEPGRAM_API_URL", "http://127.0.0.1:" + std::to_string(testing::free_port())}});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(starts(line(r, "engine groq"), "FAIL  ")) << r.out;
  EXPECT_TRUE(has(line(r, "engine groq"), "503")) << r.out;
  EXPECT_TRUE(starts(line(r, "engine deepgram"), "FAIL  engine deepgram: cannot reach")) << r.out;
}

TEST_F(Doctor, AHangingTelegramDoesNotHangDoctor) {
  // getMe never answers (until the fake stops): the call's deadline ends it, and doctor goes
  // on with the other checks.
  tg_.set_method_delay("getMe", std::chrono::minutes(5));
  auto r = doctor({}, {"--no-engine-requests"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(starts(line(r, "token"), "FAIL  token: cannot reach the Bot API")) << r.out;
  EXPECT_TRUE(starts(line(r, "ffmpeg"), "ok    ")) << r.out;
}

TEST_F(Doctor, NoEngineRequestsSkipsThePaidCalls) {
  auto r = doctor({}, {"--no-engine-requests"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(starts(line(r, "engine groq"), "skip  ")) << r.out;
  EXPECT_TRUE(starts(line(r, "engine deepgram"), "skip  ")) << r.out;
  EXPECT_TRUE(groq_.requests().empty());
  EXPECT_TRUE(deepgram_.requests().empty());
  // An ingest-only instance transcribes nothing: its engines are not called either.
  r = doctor({{"BOT_ROLE", "ingest"}});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(starts(line(r, "engine groq"), "skip  ")) << r.out;
  EXPECT_TRUE(has(line(r, "engine groq"), "BOT_ROLE=ingest")) << r.out;
  EXPECT_TRUE(groq_.requests().empty());
}

TEST_F(Doctor, RedisDownFailsAndRedisUpPasses) {
  const std::string password = "doctor-redis-pw-secret";
  const std::string dead =
      "redis://:" + password + "@127.0.0.1:" + std::to_string(testing::free_port()) + "/0";
  auto r = doctor({{"QUEUE_TYPE", "redis"}, {"CACHE_TYPE", "redis"}, {"REDIS_URL", dead}});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(starts(line(r, "redis"), "FAIL  ")) << r.out;
  EXPECT_TRUE(has(line(r, "redis"), "127.0.0.1:")) << r.out;
  EXPECT_FALSE(has(r.out + r.err, password));
  EXPECT_EQ(line(r, "sqlite"), "") << "SQLite is not used with both stores on Redis";

  std::string why;
  auto url = store::testing::shared_redis_url(&why);
  if (!url) GTEST_SKIP() << "the Redis-up half needs redis-server: " << why;
  r = doctor({{"QUEUE_TYPE", "redis"}, {"CACHE_TYPE", "sqlite"}, {"REDIS_URL", *url}});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(starts(line(r, "redis"), "ok    ")) << r.out;
  EXPECT_TRUE(has(line(r, "redis"), "Redis ")) << r.out;  // the server's version
  EXPECT_TRUE(has(line(r, "redis"), "PING")) << r.out;
}

TEST_F(Doctor, DataDirThatCannotBeCreatedFails) {
  testing::write_file(dir_ / "plain-file", "x");
  auto r = doctor({{"DATA_DIR", (dir_ / "plain-file" / "data").string()}});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(starts(line(r, "data dir"), "FAIL  ")) << r.out;
  EXPECT_TRUE(has(line(r, "data dir"), "cannot be created")) << r.out;

  r = doctor({{"DATA_DIR", (dir_ / "plain-file").string()}});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(has(line(r, "data dir"), "not a directory")) << r.out;
}

TEST_F(Doctor, DataDirWithoutWritePermissionFails) {
  if (geteuid() == 0) GTEST_SKIP() << "root writes into a read-only (0555) directory anyway";
  std::filesystem::create_directories(dir_ / "locked");
  std::filesystem::permissions(dir_ / "locked", std::filesystem::perms(0555));
  auto r = doctor({{"DATA_DIR", (dir_ / "locked").string()}});
  std::filesystem::permissions(dir_ / "locked", std::filesystem::perms(0755));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(has(line(r, "data dir"), "not writable")) << r.out;
}

// A WAL database as the bot leaves it, idle and while another connection writes: doctor reads
// it without leaving -wal/-shm files behind (run as root, they would be root's, and the
// service user could not open its own database any more).
TEST_F(Doctor, SqliteDatabaseIsReadWithoutLeavingFilesBehind) {
  const auto db_path = dir_ / "data" / "tgscribe.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "PRAGMA journal_mode=WAL; CREATE TABLE jobs(id TEXT); "
                         "PRAGMA user_version=7;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  ASSERT_FALSE(std::filesystem::exists(db_path.string() + "-wal"));

  auto r = doctor({}, {"--no-engine-requests"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(starts(line(r, "sqlite"), "ok    ")) << r.out;
  EXPECT_TRUE(has(line(r, "sqlite"), "schema version 7")) << r.out;
  EXPECT_FALSE(std::filesystem::exists(db_path.string() + "-wal"));
  EXPECT_FALSE(std::filesystem::exists(db_path.string() + "-shm"));

  // In use: a writer holds its transaction open while doctor reads.
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN IMMEDIATE; INSERT INTO jobs VALUES ('a');", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  r = doctor({}, {"--no-engine-requests"});
  sqlite3_exec(db, "COMMIT;", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(has(line(r, "sqlite"), "schema version 7")) << r.out;
}

TEST_F(Doctor, CorruptSqliteDatabaseFails) {
  testing::write_file(dir_ / "data" / "tgscribe.db", std::string(8192, 'z'));
  auto r = doctor();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(starts(line(r, "sqlite"), "FAIL  ")) << r.out;
  EXPECT_TRUE(has(line(r, "sqlite"), "not a usable database")) << r.out;
}

TEST_F(Doctor, BadConfigurationExitsTwoListingEveryError) {
  auto r = doctor({{"QUEUE_MAX_WORKERS", "-1"}, {"CACHE_TYPE", "mongo"}});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  int config_fails = 0;
  for (const auto& l : lines_of(r.out)) config_fails += starts(l, "FAIL  config: ");
  EXPECT_EQ(config_fails, 2) << r.out;
  EXPECT_TRUE(has(r.out, "FAIL  config: QUEUE_MAX_WORKERS")) << r.out;
  EXPECT_TRUE(has(r.out, "FAIL  config: CACHE_TYPE")) << r.out;
  // The checks that do not depend on the bad options ran as well.
  EXPECT_TRUE(starts(line(r, "token"), "ok    ")) << r.out;
}

TEST_F(Doctor, LocalModeAgainstTelegramsCloudIsAConfigurationError) {
  // Calls to api.telegram.org go to a closed local port instead of the internet.
  const std::string nowhere = "http://127.0.0.1:" + std::to_string(testing::free_port());
  auto r = doctor({{"TELEGRAM_API_URL", "https://api.telegram.org"},
                   {"HTTPS_PROXY", nowhere},
                   {"https_proxy", nowhere},
                   {"ALL_PROXY", nowhere},
                   {"NO_PROXY", ""},
                   {"no_proxy", ""}},
                  {"--no-engine-requests"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(starts(line(r, "telegram api"), "FAIL  ")) << r.out;
  EXPECT_TRUE(has(line(r, "telegram api"), "TELEGRAM_LOCAL_MODE")) << r.out;
  EXPECT_TRUE(starts(line(r, "token"), "FAIL  ")) << r.out;
}

TEST_F(Doctor, LocalServerWithoutLocalModeWarnsAndSphinxLoads) {
  auto r = doctor({{"TELEGRAM_LOCAL_MODE", "false"},
                   {"TRANSCRIBER", "sphinx"},
                   {"TRANSCRIBER_FALLBACK", ""},
                   {"GROQ_API_KEY", ""},
                   {"DEEPGRAM_API_KEY", ""}});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;  // a warning is not a failure
  EXPECT_TRUE(starts(line(r, "telegram api"), "warn  ")) << r.out;
  EXPECT_TRUE(has(line(r, "telegram api"), "20 MB")) << r.out;
  EXPECT_TRUE(starts(line(r, "engine sphinx"), "ok    ")) << r.out;
  EXPECT_TRUE(has(line(r, "engine sphinx"), "no cost")) << r.out;
  EXPECT_TRUE(has(last_line(r.out), "1 warning")) << r.out;
}

TEST_F(Doctor, WebhookDeliveryErrorsAreShown) {
  const std::string hook = "https://bot.example.org/tg";
  tg_.set_webhook_url(hook);
  tg_.set_webhook_last_error(static_cast<int64_t>(std::time(nullptr)) - 300, "Connection refused");
  auto r = doctor({{"WEBHOOK_URL", hook}}, {"--no-engine-requests"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(starts(line(r, "webhook"), "warn  ")) << r.out;
  EXPECT_TRUE(has(line(r, "webhook"), hook)) << r.out;
  EXPECT_TRUE(has(line(r, "webhook"), "Connection refused")) << r.out;
  EXPECT_TRUE(has(line(r, "webhook"), "0 updates waiting")) << r.out;
}

}  // namespace
}  // namespace tgscribe
