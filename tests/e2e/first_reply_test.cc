// First replies at Telegram's pace (issue 12), through the real binary: status replies go
// ahead of other chats' transcripts and documents, a job done before STATUS_DELAY_MS answers
// with its transcript alone, and a slow one still gets its status reply first.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "e2e/bot_deployment.h"

namespace tgscribe::first_reply_test {

using std::chrono::milliseconds;
using std::chrono::seconds;
using telegram::testing::RecordedCall;
using testing::BotDeployment;
using Steady = std::chrono::steady_clock;

std::vector<RecordedCall> delivered_in_order(const BotDeployment& d) {
  auto calls = d.delivered();
  std::stable_sort(calls.begin(), calls.end(),
                   [](const auto& a, const auto& b) { return a.answered_at < b.answered_at; });
  return calls;
}

bool bulk(const RecordedCall& c) {
  return c.method == "sendDocument" || BotDeployment::is_transcript(c);
}

std::string describe(const BotDeployment& d) {
  std::string out = "--- messages Telegram accepted, in order\n";
  for (const auto& c : delivered_in_order(d)) out += BotDeployment::message_key(c) + "\n";
  return out;
}

size_t jobs_done(BotDeployment& d) {
  std::string log = d.log_of("bot");
  size_t n = 0;
  for (size_t pos = 0; (pos = log.find("message(s) in the outbox", pos)) != std::string::npos;
       ++pos) {
    ++n;
  }
  return n;
}

class FirstReplies : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(testing::spoken_clip().empty()) << "espeak-ng or ffmpeg failed";
  }
  BotDeployment d_;
};

// Three notes are transcribed and their transcripts and documents wait in the outbox behind a
// slow Telegram; then five more notes arrive. Their status replies go out before the first
// three chats' waiting transcripts and documents: only the one chat being sent when they
// arrived finishes first (a chat's entries are never reordered, nor a send cut short).
TEST_F(FirstReplies, StatusRepliesOvertakeTranscriptsWaitingForOtherChats) {
  d_.env["STATUS_DELAY_MS"] = "0";  // every job has a status reply, due at once
  d_.env["OUTBOX_SENDERS"] = "1";   // one send at a time: the order is the dispatcher's choice
  d_.tg.set_latency(milliseconds(300));
  d_.start("bot");
  ASSERT_TRUE(d_.wait_healthy("bot")) << d_.logs();

  const std::vector<int64_t> first = {9101, 9102, 9103};
  const std::vector<int64_t> second = {9201, 9202, 9203, 9204, 9205};
  for (int64_t chat : first) d_.push_voice(chat, d_.add_voice(static_cast<int>(chat)));
  // Every job of the first three done (all their messages written), and the first transcript
  // on its way: the rest of their messages wait in the outbox.
  ASSERT_TRUE(testing::eventually(
      [&] {
        if (jobs_done(d_) < first.size()) return false;
        for (const auto& c : d_.delivered())
          if (BotDeployment::is_transcript(c)) return true;
        return false;
      },
      seconds(60)))
      << describe(d_) << d_.logs();
  std::set<int64_t> waiting;  // first chats without a document yet
  for (int64_t chat : first)
    if (d_.documents_in(chat) == 0) waiting.insert(chat);
  ASSERT_GE(waiting.size(), 2u) << "the outbox drained before the second wave; Telegram is "
                                   "not slow enough for this test\n"
                                << describe(d_);

  const Steady::time_point pushed = Steady::now();
  for (int64_t chat : second) d_.push_voice(chat, d_.add_voice(static_cast<int>(chat)));
  for (int64_t chat : first) {
    EXPECT_TRUE(testing::eventually([&] { return d_.answered(chat); }, seconds(60)))
        << chat << "\n"
        << describe(d_) << d_.logs();
  }
  for (int64_t chat : second) {
    EXPECT_TRUE(testing::eventually([&] { return d_.answered(chat); }, seconds(60)))
        << chat << "\n"
        << describe(d_) << d_.logs();
  }

  // When the last status reply of the second wave was answered ...
  const std::set<int64_t> second_set(second.begin(), second.end());
  Steady::time_point last_status{};
  size_t statuses = 0;
  for (const auto& c : d_.delivered()) {
    if (second_set.count(c.chat_id()) && c.method == "sendMessage" && !bulk(c)) {
      last_status = std::max(last_status, c.answered_at);
      ++statuses;
    }
  }
  ASSERT_EQ(statuses, second.size()) << describe(d_);
  // ... at most one of the waiting chats (the one in flight) had its bulk sent since the push.
  std::set<int64_t> overtook;
  for (const auto& c : d_.delivered()) {
    if (waiting.count(c.chat_id()) && bulk(c) && c.answered_at > pushed &&
        c.answered_at < last_status) {
      overtook.insert(c.chat_id());
    }
  }
  EXPECT_LE(overtook.size(), 1u) << "transcripts of " << overtook.size()
                                 << " chats went before the new status replies\n"
                                 << describe(d_);
}

// A job done before STATUS_DELAY_MS: its transcript, a reply to the voice note, is the first
// and only message; the status reply is never sent, nor an edit of it.
TEST_F(FirstReplies, FastJobAnswersWithItsTranscriptAlone) {
  const milliseconds delay(6000);
  d_.env["STATUS_DELAY_MS"] = std::to_string(delay.count());
  d_.start("bot");
  ASSERT_TRUE(d_.wait_healthy("bot")) << d_.logs();
  const int64_t chat = 9301;
  auto pushed_at = Steady::now();
  auto pushed = d_.push_voice(chat, d_.add_voice(9301));
  ASSERT_TRUE(testing::eventually(
      [&] {
        return d_.transcripts_in(chat) == 1 && d_.documents_in(chat, "transcript.txt") == 1 &&
               d_.documents_in(chat, "transcript.srt") == 1;
      },
      seconds(30)))
      << describe(d_) << d_.logs();
  // Past the moment the status reply would have been due: had it not been withdrawn, it
  // would be sent by now.
  std::this_thread::sleep_until(pushed_at + delay + seconds(1));
  EXPECT_TRUE(testing::eventually([&] { return d_.tg.pending_updates() == 0; }, seconds(10)));
  EXPECT_EQ(d_.replies_in(chat), 0u) << describe(d_);
  for (const auto& c : d_.delivered()) {
    if (BotDeployment::is_transcript(c)) {
      EXPECT_EQ(c.reply_to(), pushed.message_id);
    }
  }
  for (const auto& c : d_.tg.calls("editMessageText")) {
    EXPECT_NE(c.chat_id(), chat) << "an edit of a status reply never sent";
  }
  EXPECT_NE(d_.log_of("bot").find("no status reply, answered directly"), std::string::npos)
      << d_.logs();
}

// A job slower than STATUS_DELAY_MS: the status reply comes first, then the transcript, and
// the status reply is edited to its final text.
TEST_F(FirstReplies, SlowJobStillGetsItsStatusReplyFirst) {
  d_.env["STATUS_DELAY_MS"] = "300";
  d_.engine.set_responder([](const engine::testing::FakeRequest&) {
    return engine::testing::FakeReply::transcript().after(milliseconds(4000));
  });
  d_.start("bot");
  ASSERT_TRUE(d_.wait_healthy("bot")) << d_.logs();
  const int64_t chat = 9401;
  d_.push_voice(chat, d_.add_voice(9401));
  ASSERT_TRUE(testing::eventually([&] { return d_.answered(chat); }, seconds(30)))
      << describe(d_) << d_.logs();
  auto calls = delivered_in_order(d_);
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.front().method, "sendMessage");
  EXPECT_FALSE(bulk(calls.front())) << "the status reply must come first\n" << describe(d_);
  EXPECT_EQ(d_.replies_in(chat), 1u) << describe(d_);
  EXPECT_TRUE(testing::eventually(
      [&] {
        for (const auto& c : d_.tg.calls("editMessageText"))
          if (c.chat_id() == chat && c.status == 200) return true;
        return false;
      },
      seconds(10)))
      << "the status reply was not edited to its final text\n"
      << d_.logs();
}

}  // namespace tgscribe::first_reply_test
