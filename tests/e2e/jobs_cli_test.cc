// `tgscribe jobs` through the real binary, on the store of a real `tgscribe bot` that runs at
// the same time (fake Telegram and fake Groq), on SQLite and on Redis: the list while jobs wait
// behind a held engine, cancel of a queued job (its user is told, it never runs) and of a
// running one, retry of a job that failed for good (then delivered), purge of old finished
// jobs only, and the errors an operator can meet.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "common/testing/manual_clock.h"
#include "e2e/bot_deployment.h"
#include "e2e/engine_gate.h"
#include "jobs/job_payload.h"
#include "store/redis/redis_connection.h"
#include "store/redis/redis_job_stores.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_job_stores.h"
#include "store/testing/redis_server.h"

namespace tgscribe {
namespace {

using engine::testing::FakeReply;
using std::chrono::seconds;
using testing::BotDeployment;
using testing::ProcessResult;

constexpr int64_t kDayMs = 86'400'000;

enum class Backend { kSqlite, kRedis };

class JobsCli : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(testing::spoken_clip().empty()) << "espeak-ng or ffmpeg failed";
    if (GetParam() == Backend::kRedis) {
      if (auto why = store::testing::RedisServer::unavailable_reason()) GTEST_SKIP() << *why;
      // Its own server: the bot's keys have the fixed production prefix.
      redis_ = std::make_unique<store::testing::RedisServer>();
      d_.use_redis(redis_->url());
    }
  }
  void TearDown() override {
    if (gate_) gate_->open();  // held answers go before the fakes stop
  }

  // The first engine answer waits until the test opens gate_ (or 120 s passed).
  void hold_first_engine_answer() { gate_ = testing::hold_first(d_.engine, 1, seconds(120)); }

  void start_bot(const std::map<std::string, std::string>& extra = {}) {
    d_.start("bot", extra);
    ASSERT_TRUE(d_.wait_healthy("bot")) << d_.logs();
  }

  // `tgscribe jobs ARGS...` with the bot's configuration, from the bot's directory.
  ProcessResult jobs(std::vector<std::string> args) {
    args.insert(args.begin(), {testing::tgscribe_binary(), "jobs"});
    return testing::run_process(args, d_.env, {}, seconds(30), d_.dir.path());
  }
  // `jobs list --json [--state STATE]`; empty (with a test failure) when it does not answer.
  nlohmann::json list_json(const std::string& state = "") {
    std::vector<std::string> args = {"list", "--json"};
    if (!state.empty()) args.insert(args.end(), {"--state", state});
    auto r = jobs(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    return j.is_array() ? j : nlohmann::json::array();
  }
  // The id of `user`'s job as `jobs list` shows it, or "".
  std::string job_of(int64_t user, const std::string& state = "") {
    for (const auto& j : list_json(state)) {
      if (j.value("user_id", int64_t{0}) == user) return j.value("id", "");
    }
    return "";
  }
  nlohmann::json show_json(const std::string& id) {
    auto r = jobs({"show", id, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    return j.is_object() ? j : nlohmann::json::object();
  }
  bool chat_says(int64_t chat, const std::string& needle) {
    for (const auto& t : d_.tg.chat_texts(chat)) {
      if (t.find(needle) != std::string::npos) return true;
    }
    return false;
  }

  // The bot's job stores opened from the test, on a clock the test sets (to write old jobs).
  store::JobStores open_stores(Clock& clock) {
    if (GetParam() == Backend::kRedis) {
      return store::make_redis_job_stores(store::RedisConnection::open(redis_->url()), clock, {},
                                          "tgscribe:");
    }
    return store::make_sqlite_job_stores(store::SqliteDb::open(d_.dir / "data" / "tgscribe.db"),
                                         clock);
  }

  std::shared_ptr<testing::EngineGate> gate_;
  std::unique_ptr<store::testing::RedisServer> redis_;  // before d_: outlives the processes
  BotDeployment d_;
};

INSTANTIATE_TEST_SUITE_P(Stores, JobsCli, ::testing::Values(Backend::kSqlite, Backend::kRedis),
                         [](const auto& info) {
                           return info.param == Backend::kSqlite ? "Sqlite" : "Redis";
                         });

// While the bot works on one job and two wait: `list` shows all three; cancelling the queued
// one tells its user and it never runs; cancelling the running one stops it; the third is
// delivered.
TEST_P(JobsCli, ListAndCancelWhileTheBotRuns) {
  const int64_t running_user = 9101, queued_user = 9102, last_user = 9103;
  d_.env["QUEUE_MAX_WORKERS"] = "1";
  hold_first_engine_answer();
  start_bot();
  d_.push_voice(running_user, d_.add_voice(11));
  ASSERT_TRUE(testing::eventually([&] { return gate_->arrived >= 1; }, seconds(30))) << d_.logs();
  d_.push_voice(queued_user, d_.add_voice(12));
  d_.push_voice(last_user, d_.add_voice(13));
  ASSERT_TRUE(testing::eventually([&] { return list_json().size() == 3; }, seconds(30)))
      << d_.logs();

  auto table = jobs({"list"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  for (const char* col :
       {"ID", "STATE", "USER", "CHAT", "MEDIA", "ATTEMPTS", "AGE", "LAST ERROR"}) {
    EXPECT_NE(table.out.find(col), std::string::npos) << col << "\n" << table.out;
  }
  for (int64_t user : {running_user, queued_user, last_user}) {
    EXPECT_NE(table.out.find(std::to_string(user)), std::string::npos) << user << table.out;
  }
  EXPECT_NE(table.out.find("running"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("queued"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("voice"), std::string::npos) << table.out;
  EXPECT_EQ(list_json("queued").size(), 2u);

  const std::string queued = job_of(queued_user);
  const std::string running = job_of(running_user, "running");
  ASSERT_FALSE(queued.empty());
  ASSERT_FALSE(running.empty()) << jobs({"list"}).out;
  auto shown = jobs({"show", queued});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("state:"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("queued"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find(std::to_string(queued_user)), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("media kind:"), std::string::npos) << shown.out;

  auto cancelled = jobs({"cancel", queued});
  EXPECT_EQ(cancelled.exit_code, 0) << cancelled.err;
  EXPECT_EQ(show_json(queued).value("state", ""), "cancelled");
  // Told as the bot's /cancel tells: the status message now says it was cancelled.
  EXPECT_TRUE(testing::eventually([&] { return chat_says(queued_user, "cancelled"); }, seconds(20)))
      << d_.logs();

  auto stopping = jobs({"cancel", running});
  EXPECT_EQ(stopping.exit_code, 0) << stopping.err;
  EXPECT_TRUE(
      testing::eventually([&] { return chat_says(running_user, "cancelled"); }, seconds(30)))
      << d_.logs();
  EXPECT_TRUE(testing::eventually(
      [&] { return show_json(running).value("state", "") == "cancelled"; }, seconds(30)));

  gate_->opened = true;
  ASSERT_TRUE(testing::eventually([&] { return d_.answered(last_user); }, seconds(60)))
      << d_.logs();
  EXPECT_EQ(d_.transcripts_in(queued_user), 0u);
  EXPECT_EQ(d_.transcripts_in(running_user), 0u);
  // One engine request for the job that was stopped, one for the last: the cancelled job
  // never ran.
  EXPECT_EQ(gate_->arrived.load(), 2);
  EXPECT_EQ(show_json(queued).value("attempts", -1), 0);
  EXPECT_EQ(show_json(queued).value("last_error", ""), "cancelled by the operator");

  // A finished job cannot be cancelled: a usage error naming its state.
  auto again = jobs({"cancel", job_of(last_user)});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("delivered"), std::string::npos) << again.err;
}

// A job that failed for good is queued again by `retry`, runs with a fresh budget, and its
// transcript reaches its user.
TEST_P(JobsCli, RetryDeliversAJobThatFailedForGood) {
  const int64_t user = 9201;
  d_.env["QUEUE_MAX_RETRIES"] = "0";
  d_.engine.script_next(FakeReply::error(400, "", R"({"error":{"message":"bad audio"}})"));
  start_bot();
  d_.push_voice(user, d_.add_voice(21));
  std::string id;
  ASSERT_TRUE(
      testing::eventually([&] { return !(id = job_of(user, "failed")).empty(); }, seconds(60)))
      << d_.logs();
  EXPECT_EQ(d_.transcripts_in(user), 0u);
  ASSERT_TRUE(testing::eventually([&] { return chat_says(user, ": failed."); }, seconds(20)))
      << d_.logs();
  auto before = show_json(id);
  EXPECT_EQ(before.value("attempts", -1), 1);
  EXPECT_FALSE(before.value("last_error", "").empty());

  auto r = jobs({"retry", id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("queued again"), std::string::npos) << r.out;
  ASSERT_TRUE(testing::eventually([&] { return d_.answered(user); }, seconds(60))) << d_.logs();
  // The status message that said "failed" now says "done": the second run's final edit was
  // written and sent, though the first run had used the same entry id.
  EXPECT_TRUE(testing::eventually([&] { return chat_says(user, ": done."); }, seconds(20)))
      << d_.logs();
  EXPECT_FALSE(chat_says(user, ": failed."));
  auto after = show_json(id);
  EXPECT_EQ(after.value("state", ""), "delivered");
  EXPECT_EQ(after.value("attempts", -1), 2);  // the fence went on; the budget started again
  EXPECT_EQ(after.value("budget_base", -1), 1);
  EXPECT_EQ(d_.engine.requests().size(), 2u);

  // Only failed or cancelled jobs go back.
  auto twice = jobs({"retry", id});
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.err.find("delivered"), std::string::npos) << twice.err;
}

// `purge --older-than 5` while the bot runs removes the jobs finished 10 days ago, and keeps an
// old job still running elsewhere, a job finished an hour ago and the bot's fresh one.
TEST_P(JobsCli, PurgeRemovesOnlyOldFinishedJobs) {
  const int64_t now = SystemClock::instance().unix_ms();
  {
    // Written before the bot starts, on clocks set back: nobody else claims them meanwhile.
    if (GetParam() == Backend::kSqlite) std::filesystem::create_directories(d_.dir / "data");
    tgscribe::testing::ManualClock past(now - 10 * kDayMs);
    store::JobStores old = open_stores(past);
    jobs::JobPayload p;
    p.chat_id = p.user_id = 9301;
    p.media.kind = telegram::MediaKind::kVoice;
    int64_t update_id = 7'000'000'000;  // far from the fake Telegram's own update ids
    auto admit = [&](store::JobStores& s, const std::string& id, store::JobState state) {
      store::Admission a;
      a.update_id = ++update_id;
      store::Job j;
      j.id = id;
      j.user_id = j.chat_id = 9301;
      j.state = state;
      j.payload = jobs::to_json(p);
      a.job = j;
      ASSERT_TRUE(s.updates->admit(a).accepted) << id;
    };
    admit(old, "old-delivered", store::JobState::kDelivered);
    admit(old, "old-failed", store::JobState::kFailed);
    admit(old, "old-cancelled", store::JobState::kCancelled);
    admit(old, "old-running", store::JobState::kQueued);
    // Claimed 10 days ago by an instance that still renews it: not the bot's to touch.
    auto claimed = old.queue->claim("elsewhere-w1", std::chrono::hours(24 * 30));
    ASSERT_TRUE(claimed);
    ASSERT_EQ(claimed->id, "old-running");
    tgscribe::testing::ManualClock recent(now - 3'600'000);
    store::JobStores fresh = open_stores(recent);
    admit(fresh, "recent-failed", store::JobState::kFailed);
  }
  start_bot();
  d_.push_voice(9302, d_.add_voice(31));
  ASSERT_TRUE(testing::eventually([&] { return d_.answered(9302); }, seconds(60))) << d_.logs();
  ASSERT_EQ(list_json().size(), 6u);

  auto r = jobs({"purge", "--older-than", "5"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("purged 3 finished job(s)"), std::string::npos) << r.out;
  std::set<std::string> left;
  for (const auto& j : list_json()) left.insert(j.value("id", ""));
  EXPECT_EQ(left.size(), 3u);
  EXPECT_TRUE(left.count("old-running"));
  EXPECT_TRUE(left.count("recent-failed"));
  EXPECT_TRUE(left.count(job_of(9302, "delivered")));
  auto gone = jobs({"show", "old-delivered"});
  EXPECT_EQ(gone.exit_code, 2);
  EXPECT_EQ(show_json("old-running").value("state", ""), "running");
}

// The errors an operator meets: an unknown id, a bad action, a missing option.
TEST_P(JobsCli, UnknownIdsAndBadUsageAreUsageErrors) {
  start_bot();
  auto unknown = jobs({"show", "0123456789abcdef"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no job with id '0123456789abcdef'"), std::string::npos)
      << unknown.err;
  EXPECT_TRUE(unknown.out.empty());
  for (const char* action : {"retry", "cancel"}) {
    auto r = jobs({action, "0123456789abcdef"});
    EXPECT_EQ(r.exit_code, 2) << action;
    EXPECT_NE(r.err.find("no job with id"), std::string::npos) << action << ": " << r.err;
  }
  auto no_days = jobs({"purge"});
  EXPECT_EQ(no_days.exit_code, 2);
  EXPECT_NE(no_days.err.find("--older-than"), std::string::npos) << no_days.err;
  auto bad_state = jobs({"list", "--state", "sleeping"});
  EXPECT_EQ(bad_state.exit_code, 2);
  EXPECT_NE(bad_state.err.find("--state"), std::string::npos) << bad_state.err;
  // `jobs` alone lists.
  auto plain = jobs({});
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_NE(plain.out.find("LAST ERROR"), std::string::npos) << plain.out;
}

// Outside the parametrised suite: stores another process cannot inspect.
TEST(JobsCliStore, MemoryQueueAndMissingDatabaseAreRefused) {
  testing::TempDir dir;
  std::map<std::string, std::string> env = {
      {"ENV_FILE", ""}, {"QUEUE_TYPE", "memory"}, {"DATA_DIR", (dir / "data").string()}};
  auto memory = testing::run_process({testing::tgscribe_binary(), "jobs", "list"}, env, {},
                                     seconds(30), dir.path());
  EXPECT_EQ(memory.exit_code, 2);
  EXPECT_NE(memory.err.find("QUEUE_TYPE=memory"), std::string::npos) << memory.err;

  env["QUEUE_TYPE"] = "sqlite";
  auto missing = testing::run_process({testing::tgscribe_binary(), "jobs", "list"}, env, {},
                                      seconds(30), dir.path());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("no job store at"), std::string::npos) << missing.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "data" / "tgscribe.db"))
      << "an empty database was created";
}

}  // namespace
}  // namespace tgscribe
