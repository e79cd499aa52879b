// Typed suite: every Outbox implementation must pass it. To add one, write a JobStores factory
// in testing/store_factories.h and add it to JobStoresImpls.
#include "store/outbox.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <thread>

#include "store/testing/store_factories.h"

namespace tgscribe::store {
namespace {

using namespace std::chrono_literals;
using testing::numbered;
using testing::StoreTestEnv;

OutboxEntry entry(const std::string& id, int64_t chat, const std::string& body = "{}") {
  OutboxEntry e;
  e.id = id;
  e.chat_id = chat;
  e.body = body;
  return e;
}

std::vector<std::string> ids(const OutboxBatch& batch) {
  std::vector<std::string> out;
  for (const auto& e : batch.entries) out.push_back(e.id);
  return out;
}

using Ids = std::vector<std::string>;

template <typename Factory>
class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    reopen();
    if (!box_) GTEST_SKIP() << skip_reason_;
  }
  void reopen() {
    stores_ = Factory::make(env_, {}, &skip_reason_);
    box_ = stores_.outbox.get();
  }
  std::optional<OutboxBatch> claim(const std::string& owner, int max_entries = 10,
                                   std::chrono::milliseconds lease = 30s) {
    return box_->claim(owner, lease, max_entries);
  }
  void advance(std::chrono::milliseconds d) { env_.clock.advance(d); }
  int64_t now() const { return env_.clock.unix_ms(); }

  StoreTestEnv env_;
  std::string skip_reason_;
  JobStores stores_;
  Outbox* box_ = nullptr;
};

using JobStoresImpls =
    ::testing::Types<testing::MemoryJobStoresFactory, testing::SqliteJobStoresFactory,
                     testing::RedisJobStoresFactory>;
TYPED_TEST_SUITE(OutboxTest, JobStoresImpls, testing::FactoryName);

TYPED_TEST(OutboxTest, AddIsIdempotentById) {
  auto& box = *this->box_;
  box.add({entry("a", 1, "first"), entry("b", 1)});
  box.add({entry("a", 1, "changed"), entry("c", 2)});
  EXPECT_EQ(box.pending(), 3);
  auto a = box.get("a");
  auto b = box.get("b");
  auto c = box.get("c");
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->body, "first");
  EXPECT_EQ(a->state, OutboxState::kPending);
  EXPECT_EQ(a->attempts, 0);
  EXPECT_EQ(a->message_id, 0);
  EXPECT_EQ(a->created_ms, this->now());
  EXPECT_LT(a->seq, b->seq);
  EXPECT_LT(b->seq, c->seq);
  EXPECT_FALSE(box.get("missing").has_value());
}

TYPED_TEST(OutboxTest, ClaimGivesOneChatToOneOwnerOldestFirst) {
  auto& box = *this->box_;
  box.add({entry("1a", 1), entry("2a", 2)});
  box.add({entry("1b", 1)});
  auto first = this->claim("d1");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->chat_id, 1);
  EXPECT_EQ(ids(*first), (Ids{"1a", "1b"}));
  auto second = this->claim("d2");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->chat_id, 2);
  EXPECT_EQ(ids(*second), (Ids{"2a"}));
  EXPECT_FALSE(this->claim("d3").has_value());  // both chats are held
}

TYPED_TEST(OutboxTest, MaxEntriesLimitsTheBatch) {
  auto& box = *this->box_;
  box.add({entry("a", 1), entry("b", 1), entry("c", 1)});
  auto batch = this->claim("d1", 2);
  ASSERT_TRUE(batch);
  EXPECT_EQ(ids(*batch), (Ids{"a", "b"}));
  box.mark_sent("a", 11);
  box.mark_sent("b", 12);
  auto rest = this->claim("d1", 2);  // the holder may claim its chat again
  ASSERT_TRUE(rest);
  EXPECT_EQ(ids(*rest), (Ids{"c"}));
}

TYPED_TEST(OutboxTest, LeaseExpiryLetsAnotherOwnerClaim) {
  auto& box = *this->box_;
  box.add({entry("a", 1)});
  ASSERT_TRUE(this->claim("d1", 10, 30s));
  this->advance(20s);
  EXPECT_TRUE(box.renew(1, "d1", 30s));
  this->advance(29s);  // 9 s after the claim's lease, 1 s before the renewed one ends
  EXPECT_FALSE(this->claim("d2").has_value());
  EXPECT_FALSE(box.renew(1, "d2", 30s));
  this->advance(2s);
  auto taken = this->claim("d2");
  ASSERT_TRUE(taken);
  EXPECT_EQ(ids(*taken), (Ids{"a"}));
  EXPECT_FALSE(box.renew(1, "d1", 30s));  // d1 lost it: it sends nothing more
  EXPECT_TRUE(box.renew(1, "d2", 30s));
}

TYPED_TEST(OutboxTest, ReleaseFreesTheChatForItsOwnerOnly) {
  auto& box = *this->box_;
  box.add({entry("a", 1), entry("b", 1)});
  auto batch = this->claim("d1");
  ASSERT_TRUE(batch);
  box.mark_sent("a", 100);
  box.release(1, "d2");  // not d2's to release
  EXPECT_FALSE(this->claim("d2").has_value());
  box.release(1, "d1");
  auto next = this->claim("d2");
  ASSERT_TRUE(next);
  EXPECT_EQ(ids(*next), (Ids{"b"}));
  EXPECT_FALSE(box.renew(1, "d1", 30s));
}

TYPED_TEST(OutboxTest, RetryHoldsTheChatInOrderWhileOthersProceed) {
  auto& box = *this->box_;
  box.add({entry("1a", 1), entry("1b", 1), entry("2a", 2)});
  auto batch = this->claim("d1");
  ASSERT_TRUE(batch);
  ASSERT_EQ(batch->chat_id, 1);
  box.mark_retry("1a", "429 Too Many Requests", this->now() + 5000);
  box.release(1, "d1");

  auto other = this->claim("d1");  // chat 1 waits; chat 2 does not
  ASSERT_TRUE(other);
  EXPECT_EQ(other->chat_id, 2);
  box.mark_sent("2a", 7);
  box.release(2, "d1");
  EXPECT_FALSE(this->claim("d1").has_value());
  EXPECT_EQ(box.pending(), 2);

  this->advance(4999ms);
  EXPECT_FALSE(this->claim("d1").has_value());
  this->advance(1ms);
  auto again = this->claim("d1");
  ASSERT_TRUE(again);
  EXPECT_EQ(ids(*again), (Ids{"1a", "1b"}));  // 1b never overtook 1a
  EXPECT_EQ(again->entries[0].attempts, 1);
  EXPECT_EQ(again->entries[0].last_error, "429 Too Many Requests");
}

TYPED_TEST(OutboxTest, BatchStopsBeforeTheFirstEntryNotDue) {
  auto& box = *this->box_;
  box.add({entry("a", 1), entry("b", 1), entry("c", 1)});
  ASSERT_TRUE(this->claim("d1"));
  box.mark_retry("b", "timeout", this->now() + 60'000);
  auto batch = this->claim("d1");
  ASSERT_TRUE(batch);
  EXPECT_EQ(ids(*batch), (Ids{"a"}));
}

OutboxEntry first_reply(const std::string& id, int64_t chat) {
  OutboxEntry e = entry(id, chat);
  e.priority = kOutboxFirstReply;
  return e;
}

TYPED_TEST(OutboxTest, PriorityIsStored) {
  auto& box = *this->box_;
  box.add({first_reply("r", 1), entry("b", 1)});
  auto r = box.get("r");
  auto b = box.get("b");
  ASSERT_TRUE(r && b);
  EXPECT_EQ(r->priority, kOutboxFirstReply);
  EXPECT_EQ(b->priority, kOutboxBulk);
}

TYPED_TEST(OutboxTest, FirstRepliesAreClaimedBeforeOlderBulk) {
  auto& box = *this->box_;
  // Chat 1's transcript was written first; chats 2 and 3 then got their status replies.
  box.add({entry("1-transcript", 1)});
  box.add({first_reply("2-status", 2)});
  box.add({first_reply("3-status", 3)});
  std::vector<int64_t> order;
  for (const std::string owner : {"d1", "d2", "d3"}) {
    auto batch = this->claim(owner);
    ASSERT_TRUE(batch);
    order.push_back(batch->chat_id);
  }
  // Among first replies the oldest first; the bulk chat last.
  EXPECT_EQ(order, (std::vector<int64_t>{2, 3, 1}));
}

TYPED_TEST(OutboxTest, BatchStopsBeforeBulkBehindAFirstReply) {
  auto& box = *this->box_;
  box.add({first_reply("1-status", 1), entry("1-text", 1), entry("1-doc", 1)});
  box.add({first_reply("2-status", 2)});
  auto batch = this->claim("d1");
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->chat_id, 1);
  EXPECT_EQ(ids(*batch), (Ids{"1-status"}));
  box.mark_sent("1-status", 11);
  box.release(1, "d1");
  // Chat 1's first pending entry is bulk now: chat 2's status reply goes before it.
  auto next = this->claim("d1");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->chat_id, 2);
  box.mark_sent("2-status", 21);
  box.release(2, "d1");
  auto rest = this->claim("d1");
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->chat_id, 1);
  EXPECT_EQ(ids(*rest), (Ids{"1-text", "1-doc"}));  // order within the chat is kept
}

TYPED_TEST(OutboxTest, ABulkBatchTakesTheFirstRepliesBehindIt) {
  auto& box = *this->box_;
  // A reply written after bulk in the same chat waits for it (order), and goes with it.
  box.add({entry("1-text", 1), first_reply("1-help", 1)});
  auto batch = this->claim("d1");
  ASSERT_TRUE(batch);
  EXPECT_EQ(ids(*batch), (Ids{"1-text", "1-help"}));
}

TYPED_TEST(OutboxTest, ADelayedFirstReplyHoldsItsChat) {
  auto& box = *this->box_;
  OutboxEntry status = first_reply("1-status", 1);
  status.not_before_ms = this->now() + 2000;
  box.add({status, entry("1-text", 1)});
  box.add({entry("2-text", 2)});
  auto batch = this->claim("d1");
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->chat_id, 2);  // chat 1 waits for its status reply to be due
  EXPECT_FALSE(this->claim("d2").has_value());
  this->advance(2001ms);
  auto later = this->claim("d2");
  ASSERT_TRUE(later);
  EXPECT_EQ(later->chat_id, 1);
  EXPECT_EQ(ids(*later), (Ids{"1-status"}));
}

TYPED_TEST(OutboxTest, DroppedEntryIsSkipped) {
  auto& box = *this->box_;
  box.add({entry("a", 1), entry("b", 1)});
  box.mark_dropped("a", "Forbidden: bot was blocked by the user");
  auto a = box.get("a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->state, OutboxState::kDropped);
  EXPECT_EQ(a->last_error, "Forbidden: bot was blocked by the user");
  EXPECT_EQ(box.pending(), 1);
  auto batch = this->claim("d1");
  ASSERT_TRUE(batch);
  EXPECT_EQ(ids(*batch), (Ids{"b"}));
}

TYPED_TEST(OutboxTest, SentEntryKeepsItsMessageId) {
  auto& box = *this->box_;
  box.add({entry("a", 1)});
  EXPECT_EQ(box.pending(), 1);
  box.mark_sent("a", 555);
  box.mark_sent("a", 555);  // idempotent
  auto a = box.get("a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->state, OutboxState::kSent);
  EXPECT_EQ(a->message_id, 555);
  EXPECT_EQ(box.pending(), 0);
  EXPECT_FALSE(this->claim("d1").has_value());
  box.add({entry("a", 1)});  // written again: still sent, not queued a second time
  EXPECT_EQ(box.get("a")->state, OutboxState::kSent);
  EXPECT_EQ(box.pending(), 0);
}

TYPED_TEST(OutboxTest, OldSentEntriesArePruned) {
  auto& box = *this->box_;
  box.add({entry("sent", 1), entry("dropped", 2), entry("stuck", 3)});
  box.mark_sent("sent", 1);
  box.mark_dropped("dropped", "gone");
  box.mark_retry("stuck", "flood", this->now() + 20LL * 24 * 3600 * 1000);
  this->advance(10 * 24h);
  box.add({entry("trigger", 4)});  // a later write prunes
  EXPECT_FALSE(box.get("sent").has_value());
  EXPECT_FALSE(box.get("dropped").has_value());
  EXPECT_TRUE(box.get("stuck").has_value());  // pending entries are never pruned
  EXPECT_TRUE(box.get("trigger").has_value());
}

TYPED_TEST(OutboxTest, SurvivesReopen) {
  if (!TypeParam::kPersistent) GTEST_SKIP() << "implementation is not persistent";
  this->box_->add({entry("a", 1), entry("b", 1)});
  ASSERT_TRUE(this->claim("d1", 10, 30s));
  this->box_->mark_sent("a", 42);
  this->reopen();  // the dispatcher's process "dies" holding chat 1
  ASSERT_TRUE(this->box_);
  EXPECT_EQ(this->box_->get("a")->message_id, 42);
  EXPECT_EQ(this->box_->pending(), 1);
  EXPECT_FALSE(this->claim("d2").has_value());  // the lease survived too
  this->advance(31s);
  auto batch = this->claim("d2");
  ASSERT_TRUE(batch);
  EXPECT_EQ(ids(*batch), (Ids{"b"}));
}

TYPED_TEST(OutboxTest, ConcurrentDispatchersSendEachEntryOnceInOrder) {
  auto& box = *this->box_;
  constexpr int kEntries = 200, kChats = 20, kDispatchers = 4;
  std::map<int64_t, std::vector<std::string>> written;  // chat -> ids in add order
  for (int batch = 0; batch < 10; ++batch) {
    std::vector<OutboxEntry> entries;
    for (int i = batch * 20; i < (batch + 1) * 20; ++i) {
      auto e = entry(numbered("e", i), i % kChats);
      written[e.chat_id].push_back(e.id);
      entries.push_back(e);
    }
    box.add(entries);
  }

  std::mutex mu;
  std::map<int64_t, std::vector<std::string>> sent;  // chat -> ids in send order
  std::vector<std::thread> threads;
  for (int d = 0; d < kDispatchers; ++d) {
    threads.emplace_back([&, d] {
      const std::string me = numbered("d", d);
      while (box.pending() > 0) {
        auto batch = box.claim(me, 30s, 3);
        if (!batch) {
          std::this_thread::yield();  // the rest is held by others
          continue;
        }
        for (const auto& e : batch->entries) {
          {
            std::lock_guard lock(mu);
            sent[batch->chat_id].push_back(e.id);
          }
          box.mark_sent(e.id, e.seq);
        }
        box.release(batch->chat_id, me);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(sent, written);  // each entry once, in its chat's order
  for (int i = 0; i < kEntries; ++i) {
    EXPECT_EQ(box.get(numbered("e", i))->state, OutboxState::kSent) << i;
  }
}

}  // namespace
}  // namespace tgscribe::store
