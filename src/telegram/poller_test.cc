// The Poller against the fake Bot API over real HTTP (short long-polls, short backoffs).
#include "telegram/poller.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "http/curl_http_client.h"
#include "support/test_util.h"
#include "telegram/testing/fake_bot_api.h"

namespace tgscribe::telegram {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::FakeBotApi;
using testing::Fault;
using tgscribe::testing::eventually;

class PollerTest : public ::testing::Test {
 protected:
  BotApiOptions api_options(std::string token = {}) {
    BotApiOptions o;
    o.api_url = tg.url();
    o.token = token.empty() ? tg.token() : token;
    o.request_timeout = 10s;
    o.long_poll_margin = 5s;
    return o;
  }
  static PollerOptions fast() {
    PollerOptions o;
    o.timeout_s = 1;  // the fake caps each long poll at 300 ms anyway
    o.backoff_initial = 20ms;
    o.backoff_max = 100ms;
    return o;
  }
  // Runs the poller in a thread; stops and joins it on destruction.
  struct Running {
    Running(Poller& p, UpdateHandler h) {
      thread = std::jthread([&p, h = std::move(h), this](std::stop_token st) {
        try {
          p.run(st, h);
        } catch (const std::exception& e) {
          std::lock_guard lock(mu);
          error = e.what();
        }
        done = true;
      });
    }
    std::jthread thread;
    std::mutex mu;
    std::string error;
    std::atomic<bool> done{false};
  };

  FakeBotApi tg;
  http::CurlHttpClient http;
  BotApi api{api_options(), http};
  std::mutex mu;
  std::vector<int64_t> handled;  // update ids, in order

  UpdateHandler record() {
    return [this](const json& u) {
      std::lock_guard lock(mu);
      handled.push_back(u.at("update_id").get<int64_t>());
      return true;
    };
  }
  size_t handled_count() {
    std::lock_guard lock(mu);
    return handled.size();
  }
};

TEST_F(PollerTest, DeletesTheWebhookThenDeliversUpdatesInOrder) {
  tg.set_webhook_url("https://old.example/hook");
  auto a = tg.push_text({}, "one");
  auto b = tg.push_text({}, "two");
  Poller poller(api, fast());
  {
    Running r(poller, record());
    ASSERT_TRUE(eventually([&] { return handled_count() == 2; }));
    auto c = tg.push_text({}, "three");
    ASSERT_TRUE(eventually([&] { return handled_count() == 3; }));
    EXPECT_EQ(handled, (std::vector<int64_t>{a.update_id, b.update_id, c.update_id}));
  }
  EXPECT_EQ(tg.webhook_url(), "");
  auto calls = tg.calls();
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls[0].method, "deleteWebhook");
  EXPECT_EQ(calls[0].params["drop_pending_updates"], false);           // pending updates are work
  EXPECT_TRUE(eventually([&] { return tg.pending_updates() == 0; }));  // confirmed by offset
}

TEST_F(PollerTest, OffsetMovesOnlyPastHandledUpdates) {
  auto a = tg.push_text({}, "one");
  auto b = tg.push_text({}, "two");
  auto c = tg.push_text({}, "three");
  std::atomic<int> refusals{0};
  Poller poller(api, fast());
  std::vector<int64_t> seen;
  auto handler = [&](const json& u) {
    int64_t id = u.at("update_id").get<int64_t>();
    std::lock_guard lock(mu);
    seen.push_back(id);
    if (id == b.update_id && refusals < 2) {  // e.g. the queue's disk is full, twice
      ++refusals;
      return false;
    }
    handled.push_back(id);
    return true;
  };
  {
    Running r(poller, handler);
    ASSERT_TRUE(eventually([&] { return handled_count() == 3; }));
  }
  EXPECT_EQ(handled, (std::vector<int64_t>{a.update_id, b.update_id, c.update_id}));
  // `a` was handled once; `b` was offered until accepted; `c` never before `b`.
  EXPECT_EQ(seen, (std::vector<int64_t>{a.update_id, b.update_id, b.update_id, b.update_id,
                                        c.update_id}));
  // Every getUpdates after the refusal asked again from b.
  bool asked_from_b = false;
  for (const auto& call : tg.calls("getUpdates")) {
    if (call.params.value("offset", int64_t{0}) == b.update_id) asked_from_b = true;
  }
  EXPECT_TRUE(asked_from_b);
  EXPECT_EQ(poller.offset(), c.update_id + 1);
}

TEST_F(PollerTest, ChatsAreHandledInParallel) {
  // Chat 1's update waits for chat 2's: handled one after the other, it would time out.
  auto a = tg.push_text({.chat_id = 1, .user_id = 1}, "slow");
  auto b = tg.push_text({.chat_id = 2, .user_id = 2}, "fast");
  std::atomic<bool> b_done{false};
  std::atomic<bool> a_saw_b{false};
  auto handler = [&](const json& u) {
    int64_t id = u.at("update_id").get<int64_t>();
    if (id == a.update_id) {
      a_saw_b = eventually([&] { return b_done.load(); }, 5s);
    } else {
      b_done = true;
    }
    std::lock_guard lock(mu);
    handled.push_back(id);
    return true;
  };
  Poller poller(api, fast());
  {
    Running r(poller, handler);
    ASSERT_TRUE(eventually([&] { return handled_count() == 2; }));
  }
  EXPECT_TRUE(a_saw_b.load());
  EXPECT_EQ(handled, (std::vector<int64_t>{b.update_id, a.update_id}));
  EXPECT_EQ(poller.offset(), b.update_id + 1);
}

TEST_F(PollerTest, OneChatsUpdatesStayInOrderAndAFailureHoldsTheOffset) {
  auto a1 = tg.push_text({.chat_id = 1, .user_id = 1}, "one");
  auto b = tg.push_text({.chat_id = 2, .user_id = 2}, "other chat");
  auto a2 = tg.push_text({.chat_id = 1, .user_id = 1}, "two");
  std::atomic<int> refusals{0};
  std::vector<int64_t> seen;
  auto handler = [&](const json& u) {
    int64_t id = u.at("update_id").get<int64_t>();
    std::lock_guard lock(mu);
    seen.push_back(id);
    if (id == a1.update_id && refusals++ == 0) return false;  // the store refused it once
    handled.push_back(id);
    return true;
  };
  Poller poller(api, fast());
  {
    Running r(poller, handler);
    ASSERT_TRUE(eventually([&] { return poller.offset() == a2.update_id + 1; }));
  }
  std::lock_guard lock(mu);
  // a2 never before a1; b (handled while a1 failed) was offered again: the offset could not
  // move past a1, and the handler is what finds b done (UpdateLog::seen).
  std::vector<int64_t> chat1;
  for (int64_t id : handled)
    if (id != b.update_id) chat1.push_back(id);
  EXPECT_EQ(chat1, (std::vector<int64_t>{a1.update_id, a2.update_id}));
  EXPECT_EQ(std::count(seen.begin(), seen.end(), b.update_id), 2);
  EXPECT_EQ(std::count(seen.begin(), seen.end(), a2.update_id), 1);
}

TEST_F(PollerTest, MalformedUpdatesAreSkippedAndOthersStillFlow) {
  tg.push_raw_update("not an update");
  tg.push_raw_update(json{{"message", {{"text", "no id"}}}});
  auto good = tg.push_text({}, "fine");
  tg.push_update(json{{"message", "a string where an object belongs"}});
  auto last = tg.push_text({}, "also fine");
  Poller poller(api, fast());
  std::vector<std::string> parse_errors;
  auto handler = [&](const json& u) {
    auto parsed = parse_update(u);
    std::lock_guard lock(mu);
    if (!parsed) {
      parse_errors.push_back(parsed.error);  // what the bot does: log and confirm
    } else {
      handled.push_back(parsed->update_id);
    }
    return true;
  };
  {
    Running r(poller, handler);
    ASSERT_TRUE(eventually([&] { return handled_count() == 2; }));
    // Confirmed by the next getUpdates, so while the poller still runs: stopping it right after
    // the second update was handled could cut that call short (a race seen under CI load).
    EXPECT_TRUE(eventually([&] { return tg.pending_updates() == 0; }));
  }
  EXPECT_EQ(handled, (std::vector<int64_t>{good.update_id, last.update_id}));
  EXPECT_EQ(parse_errors.size(), 1u);
}

TEST_F(PollerTest, ConflictIsReportedAndRetried) {
  PollerOptions o = fast();
  o.delete_webhook = false;  // someone else's webhook stays set
  tg.set_webhook_url("https://other.example/hook");
  Poller poller(api, o);
  std::atomic<int> reported{0};
  std::string description;
  poller.set_conflict_callback([&](const ApiError& e) {
    if (reported++ == 0) description = e.description();
  });
  auto u = tg.push_text({}, "waiting");
  {
    Running r(poller, record());
    ASSERT_TRUE(eventually([&] { return reported >= 2; }));  // keeps trying
    EXPECT_EQ(handled_count(), 0u);
    tg.set_webhook_url("");  // the other side goes away
    ASSERT_TRUE(eventually([&] { return handled_count() == 1; }));
  }
  EXPECT_GE(poller.conflicts(), 2);
  EXPECT_NE(description.find("webhook"), std::string::npos) << description;
  EXPECT_EQ(handled.at(0), u.update_id);
}

TEST_F(PollerTest, WrongTokenStopsThePoller) {
  BotApi wrong(api_options("111:WRONG_token_abcdefghijkl"), http);
  Poller poller(wrong, fast());
  std::stop_source never;
  try {
    poller.run(never.get_token(), record());
    FAIL() << "a rejected token must end polling";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kAuth);
  }
}

TEST_F(PollerTest, NetworkErrorsAreRetriedWithBackoff) {
  tg.fail_next("getUpdates", 2, Fault::kDrop);
  tg.fail_next("getUpdates", 1, Fault::kServerError);
  tg.fail_next("deleteWebhook", 1, Fault::kServerError);
  auto u = tg.push_text({}, "after the storm");
  Poller poller(api, fast());
  {
    Running r(poller, record());
    ASSERT_TRUE(eventually([&] { return handled_count() == 1; }));
  }
  EXPECT_EQ(handled.at(0), u.update_id);
  EXPECT_EQ(tg.call_count("deleteWebhook"), 2u);
  EXPECT_GE(tg.call_count("getUpdates"), 4u);
}

TEST_F(PollerTest, AnUpdateWhoseHandlerThrowsIsRetriedUntilItIsHandledNeverSkipped) {
  // A store outage makes the handler throw for a while; the update must not be lost to it.
  auto first = tg.push_text({}, "during the outage");
  auto next = tg.push_text({}, "after it");
  Poller poller(api, fast());
  std::atomic<int> throws{0};
  auto handler = [&](const json& u) {
    if (throws < 8) {
      ++throws;
      throw std::runtime_error("store unreachable");
    }
    std::lock_guard lock(mu);
    handled.push_back(u.at("update_id").get<int64_t>());
    return true;
  };
  {
    Running r(poller, handler);
    ASSERT_TRUE(eventually([&] { return handled_count() == 2; }));
  }
  EXPECT_EQ(throws.load(), 8);
  EXPECT_EQ(handled.at(0), first.update_id);
  EXPECT_EQ(handled.at(1), next.update_id);
}

TEST_F(PollerTest, StopEndsTheLoop) {
  Poller poller(api, fast());
  Running r(poller, record());
  ASSERT_TRUE(eventually([&] { return tg.call_count("getUpdates") >= 2; }));
  r.thread.request_stop();
  EXPECT_TRUE(eventually([&] { return r.done.load(); }, 10s));
  EXPECT_EQ(r.error, "");
}

TEST_F(PollerTest, StopCutsALongPollShort) {
  tg.set_long_poll_cap(60s);  // as Telegram: getUpdates is held for its whole timeout
  auto options = fast();
  options.timeout_s = 50;
  Poller poller(api, options);
  Running r(poller, record());
  tg.push_text({}, "wake");
  ASSERT_TRUE(eventually([&] { return handled_count() == 1; }));
  // The next getUpdates is now waiting at the fake; stopping does not wait it out.
  r.thread.request_stop();
  EXPECT_TRUE(eventually([&] { return r.done.load(); }, 10s));
  EXPECT_EQ(r.error, "");
}

TEST_F(PollerTest, PollOnceReportsConfirmedCount) {
  tg.push_text({}, "a");
  tg.push_text({}, "b");
  Poller poller(api, fast());
  EXPECT_EQ(poller.poll_once(record()), 2);
  EXPECT_EQ(poller.poll_once(record()), 0);  // confirmed: not delivered again
  EXPECT_EQ(handled_count(), 2u);
}

}  // namespace
}  // namespace tgscribe::telegram
