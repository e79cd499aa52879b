// Crash consistency of the job path, point by point: the real binary dies (_exit 86) at each
// failpoint on an update's way to delivery, is started again without it, and every chat still
// gets its status reply, transcript and documents exactly once. The one allowed exception is
// the message Telegram accepted right before an `outbox.after_send` crash: it may come twice.
#include <gtest/gtest.h>

#include <set>

#include "e2e/bot_deployment.h"
#include "store/testing/redis_server.h"

namespace tgscribe {
namespace {

using std::chrono::seconds;
using telegram::testing::RecordedCall;
using testing::BotDeployment;

constexpr int kFailpointExit = 86;

std::vector<int64_t> three_chats(int64_t base) { return {base + 1, base + 2, base + 3}; }

// One distinct voice note per chat (different content: no cache or coalescing hides a loss).
void push_notes(BotDeployment& d, const std::vector<int64_t>& chats) {
  for (size_t i = 0; i < chats.size(); ++i) {
    d.push_voice(chats[i], d.add_voice(static_cast<int>(chats[i])));
  }
}

bool all_answered(const BotDeployment& d, const std::vector<int64_t>& chats) {
  for (int64_t chat : chats)
    if (!d.answered(chat)) return false;
  return true;
}

// The message that may have been in flight when run `client` died: the last one it had sent.
// With one outbox sender (OUTBOX_SENDERS=1 below) at most one entry is between Telegram's
// answer and the outbox's record of it; a crash there - at outbox.after_send, or at any other
// point while the sender thread was in that window - repeats that one message: the documented
// at-least-once window.
std::set<std::string> in_flight_of(const BotDeployment& d, const std::string& client) {
  std::set<std::string> out;
  for (const auto& c : d.delivered())
    if (c.client == client) out = {BotDeployment::message_key(c)};
  return out;
}

// The message (BotDeployment::message_key) that run `client` had sent last.
std::optional<std::string> last_sent_by(const BotDeployment& d, const std::string& client) {
  std::optional<std::string> last;
  for (const auto& c : d.delivered())
    if (c.client == client) last = BotDeployment::message_key(c);
  return last;
}

std::string describe(const BotDeployment& d) {
  std::string out = "--- messages Telegram accepted (client: key)\n";
  for (const auto& c : d.delivered()) out += c.client + ": " + BotDeployment::message_key(c) + "\n";
  return out;
}

// Each chat has exactly one status reply, one transcript, one transcript.txt and one
// transcript.srt, each sent once; only the messages in `may_repeat` may have been sent twice.
void expect_each_once(const BotDeployment& d, const std::vector<int64_t>& chats,
                      const std::set<std::string>& may_repeat = {}) {
  std::map<std::string, int> sent;
  for (const auto& c : d.delivered()) ++sent[BotDeployment::message_key(c)];
  for (const auto& [key, n] : sent) {
    if (n == 1 || (n == 2 && may_repeat.count(key))) continue;
    ADD_FAILURE() << "\"" << key << "\" was sent " << n << " times\n" << describe(d);
  }
  for (int64_t chat : chats) {
    std::string c = std::to_string(chat);
    EXPECT_TRUE(sent.count(c + " transcript")) << "chat " << c << ": no transcript";
    EXPECT_TRUE(sent.count(c + " document transcript.txt")) << "chat " << c << ": no .txt";
    EXPECT_TRUE(sent.count(c + " document transcript.srt")) << "chat " << c << ": no .srt";
    size_t kinds = 0, replies = 0;
    for (const auto& [key, n] : sent) {
      if (key.rfind(c + " ", 0) != 0) continue;
      ++kinds;
      replies += key.rfind(c + " reply ", 0) == 0;
    }
    EXPECT_EQ(replies, 1u) << "chat " << c << ": one status reply expected\n" << describe(d);
    EXPECT_EQ(kinds, 4u) << "chat " << c << ": unexpected messages\n" << describe(d);
  }
}

// Waits for everything to be answered and confirmed, then gives a duplicate the chance to
// show up before counting.
void expect_delivered_once(BotDeployment& d, const std::vector<int64_t>& chats,
                           const std::set<std::string>& may_repeat = {}) {
  for (int64_t chat : chats) {
    EXPECT_TRUE(testing::eventually([&] { return d.answered(chat); }, seconds(90)))
        << "chat " << chat << "\n"
        << describe(d) << d.logs();
  }
  EXPECT_TRUE(testing::eventually([&] { return d.tg.pending_updates() == 0; }, seconds(20)))
      << "updates never confirmed: " << d.tg.pending_updates() << "\n"
      << d.logs();
  std::this_thread::sleep_for(seconds(2));
  expect_each_once(d, chats, may_repeat);
}

std::string point_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name)
    if (c == '.') c = '_';
  return name;
}

// --- one SQLite instance --------------------------------------------------------------------

class FailpointMatrix : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(testing::spoken_clip().empty()) << "espeak-ng or ffmpeg failed";
    d_.env["QUEUE_MAX_RETRIES"] = "4";  // the crash must not use up the job's attempts
    d_.env["OUTBOX_SENDERS"] = "1";     // one message in flight at a time (see in_flight_of)
  }
  BotDeployment d_;
};

TEST_P(FailpointMatrix, CrashThereThenRestartDeliversEverythingOnce) {
  const std::string point = GetParam();
  const auto chats = three_chats(7100);
  d_.start("bot", {{"TGSCRIBE_FAILPOINTS", point + "=exit"}});
  ASSERT_TRUE(d_.wait_healthy("bot")) << d_.logs();
  const std::string crashed_run = d_.client("bot");
  push_notes(d_, chats);
  auto code = d_.wait_exit("bot", seconds(60), [&] { return all_answered(d_, chats); });
  ASSERT_TRUE(code) << "failpoint " << point << " never fired\n" << describe(d_) << d_.logs();
  ASSERT_EQ(*code, kFailpointExit) << d_.logs();
  EXPECT_NE(d_.log_of("bot").find("failpoint " + point + ": exiting"), std::string::npos)
      << d_.logs();

  if (point == "outbox.after_send") {
    // Telegram accepted it, the record did not happen: the documented window.
    ASSERT_TRUE(last_sent_by(d_, crashed_run)) << "nothing was sent before the crash\n"
                                               << describe(d_);
  }
  std::set<std::string> may_repeat = in_flight_of(d_, crashed_run);
  d_.start("bot");
  expect_delivered_once(d_, chats, may_repeat);
  EXPECT_TRUE(d_.running("bot")) << d_.logs();
}

INSTANTIATE_TEST_SUITE_P(Points, FailpointMatrix,
                         ::testing::Values("intake.before_admit", "intake.after_admit",
                                           "worker.after_claim", "worker.after_download",
                                           "worker.after_transcribe", "worker.after_finish",
                                           "outbox.after_claim", "outbox.after_send",
                                           "outbox.after_record"),
                         point_name);

// An update whose admission keeps failing is retried, never skipped, and answered once.
TEST_F(FailpointMatrix, EightFailedAdmissionsInARowStillAnswerTheUpdateOnce) {
  const std::vector<int64_t> chats = {7201};
  d_.start("bot", {{"TGSCRIBE_FAILPOINTS", "intake.before_admit=error@1x8"}});
  ASSERT_TRUE(d_.wait_healthy("bot")) << d_.logs();
  push_notes(d_, chats);
  // The poller backs off between attempts; eight of them take a while.
  EXPECT_TRUE(testing::eventually([&] { return d_.answered(7201); }, seconds(150)))
      << describe(d_) << d_.logs();
  std::string log = d_.log_of("bot");
  size_t fired = 0;
  for (size_t pos = 0; (pos = log.find("failpoint intake.before_admit", pos)) != std::string::npos;
       ++pos) {
    ++fired;
  }
  EXPECT_GE(fired, 8u) << "the failpoint did not fire 8 times\n" << d_.logs();
  expect_delivered_once(d_, chats);
  EXPECT_TRUE(d_.running("bot")) << d_.logs();
}

// --- the status reply delayed (STATUS_DELAY_MS) ---------------------------------------------
// A job that ends before its status reply is due withdraws it in its fenced finish. The delay
// here outlasts the crash and the restart, so whatever window the process dies in, each chat
// gets its transcript and documents once, no status reply, and no edit of a message never sent.

bool transcribed(const BotDeployment& d, const std::vector<int64_t>& chats) {
  for (int64_t chat : chats) {
    if (d.transcripts_in(chat) < 1 || d.documents_in(chat, "transcript.txt") < 1 ||
        d.documents_in(chat, "transcript.srt") < 1) {
      return false;
    }
  }
  return true;
}

class DelayedStatusFailpointMatrix : public FailpointMatrix {
 protected:
  void SetUp() override {
    FailpointMatrix::SetUp();
    d_.env["STATUS_DELAY_MS"] = "60000";
  }
};

TEST_P(DelayedStatusFailpointMatrix, CrashThereThenRestartAnswersOnceWithoutAStatusReply) {
  const std::string point = GetParam();
  const auto chats = three_chats(7400);
  d_.start("bot", {{"TGSCRIBE_FAILPOINTS", point + "=exit"}});
  ASSERT_TRUE(d_.wait_healthy("bot")) << d_.logs();
  const std::string crashed_run = d_.client("bot");
  push_notes(d_, chats);
  auto code = d_.wait_exit("bot", seconds(60), [&] { return transcribed(d_, chats); });
  ASSERT_TRUE(code) << "failpoint " << point << " never fired\n" << describe(d_) << d_.logs();
  ASSERT_EQ(*code, kFailpointExit) << d_.logs();
  std::set<std::string> may_repeat = in_flight_of(d_, crashed_run);
  d_.start("bot");
  EXPECT_TRUE(testing::eventually([&] { return transcribed(d_, chats); }, seconds(90)))
      << describe(d_) << d_.logs();
  EXPECT_TRUE(testing::eventually([&] { return d_.tg.pending_updates() == 0; }, seconds(20)))
      << d_.logs();
  std::this_thread::sleep_for(seconds(2));
  std::map<std::string, int> sent;
  for (const auto& c : d_.delivered()) ++sent[BotDeployment::message_key(c)];
  for (const auto& [key, n] : sent) {
    if (n == 1 || (n == 2 && may_repeat.count(key))) continue;
    ADD_FAILURE() << "\"" << key << "\" was sent " << n << " times\n" << describe(d_);
  }
  for (int64_t chat : chats) {
    EXPECT_EQ(d_.replies_in(chat), 0u) << "chat " << chat << ": a status reply was sent\n"
                                       << describe(d_);
  }
  EXPECT_EQ(d_.tg.call_count("editMessageText"), 0u) << d_.logs();
  EXPECT_TRUE(d_.running("bot")) << d_.logs();
}

INSTANTIATE_TEST_SUITE_P(Points, DelayedStatusFailpointMatrix,
                         ::testing::Values("intake.after_admit", "worker.after_claim",
                                           "worker.after_transcribe", "worker.after_finish",
                                           "outbox.after_send"),
                         point_name);

// --- one ingest and two workers on Redis ----------------------------------------------------

class RedisFailpointMatrix : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (auto why = store::testing::RedisServer::unavailable_reason()) GTEST_SKIP() << *why;
    ASSERT_FALSE(testing::spoken_clip().empty()) << "espeak-ng or ffmpeg failed";
    redis_ = std::make_unique<store::testing::RedisServer>(
        store::testing::RedisServer::Options{.appendfsync = "always"});
    d_.use_redis(redis_->url());
    d_.env["QUEUE_MAX_WORKERS"] = "2";
    d_.env["QUEUE_MAX_RETRIES"] = "4";
    d_.env["OUTBOX_SENDERS"] = "1";  // one message in flight per process (see in_flight_of)
  }

  void start(const std::string& name, const std::string& failpoints = "") {
    d_.start(name, {{"BOT_ROLE", name.substr(0, name.find_first_of("0123456789"))},
                    {"DATA_DIR", (d_.dir / ("data-" + name)).string()},
                    {"TGSCRIBE_FAILPOINTS", failpoints}});
    ASSERT_TRUE(d_.wait_healthy(name)) << d_.logs();
  }

  std::unique_ptr<store::testing::RedisServer> redis_;  // first: outlives the processes
  BotDeployment d_;
};

TEST_P(RedisFailpointMatrix, OneProcessCrashesThereAndRestartsEveryJobOnce) {
  const std::string point = GetParam();
  const std::string spec = point + "=exit";
  const auto chats = three_chats(7300);
  // Arm only processes that can reach the point; for worker points, one worker runs alone
  // until it crashes so that it is the one that claims.
  std::vector<std::string> armed;
  if (point.rfind("intake.", 0) == 0) {
    armed = {"ingest0"};
    start("ingest0", spec);
    start("worker0");
    start("worker1");
  } else if (point.rfind("worker.", 0) == 0) {
    armed = {"worker0"};
    start("ingest0");
    start("worker0", spec);
  } else {
    // Which roles send is the implementation's choice: arm all, stop the others after the
    // first crash.
    armed = {"ingest0", "worker0", "worker1"};
    for (const auto& name : armed) start(name, spec);
  }
  std::map<std::string, std::string> runs;
  for (const auto& name : armed) runs[name] = d_.client(name);
  push_notes(d_, chats);

  auto any_exited = [&] {
    for (const auto& name : armed)
      if (!d_.running(name)) return true;
    return false;
  };
  ASSERT_TRUE(
      testing::eventually([&] { return any_exited() || all_answered(d_, chats); }, seconds(60)))
      << describe(d_) << d_.logs();
  ASSERT_TRUE(any_exited()) << "failpoint " << point << " never fired\n"
                            << describe(d_) << d_.logs();
  std::set<std::string> may_repeat;
  int crashes = 0;
  for (const auto& name : armed) {
    // A process that reached the point meanwhile crashed too; the others stop cleanly.
    int code = d_.running(name) ? d_.stop(name) : *d_.wait_exit(name, seconds(0));
    if (code != kFailpointExit) {
      EXPECT_EQ(code, 0) << name << " did not stop cleanly\n" << d_.logs();
      continue;
    }
    ++crashes;
    EXPECT_NE(d_.log_of(name).find("failpoint " + point + ": exiting"), std::string::npos)
        << d_.logs();
    if (point == "outbox.after_send") {
      ASSERT_TRUE(last_sent_by(d_, runs[name])) << name << " sent nothing before the crash\n"
                                                << describe(d_);
    }
    for (const auto& key : in_flight_of(d_, runs[name])) may_repeat.insert(key);
  }
  EXPECT_GE(crashes, 1);
  for (const auto& name : {"ingest0", "worker0", "worker1"}) {
    if (!d_.running(name)) start(name);
  }
  expect_delivered_once(d_, chats, may_repeat);
}

INSTANTIATE_TEST_SUITE_P(Points, RedisFailpointMatrix,
                         ::testing::Values("intake.before_admit", "intake.after_admit",
                                           "worker.after_claim", "worker.after_download",
                                           "worker.after_transcribe", "worker.after_finish",
                                           "outbox.after_claim", "outbox.after_send",
                                           "outbox.after_record"),
                         point_name);

}  // namespace
}  // namespace tgscribe
