#include "store/redis/redis_job_script.h"

#include <gtest/gtest.h>

#include <map>

#include "store/testing/redis_server.h"

namespace tgscribe::store {
namespace {

using testing::RedisServer;

RedisReply str(const std::string& s) {
  RedisReply r;
  r.type = RedisReply::Type::kString;
  r.str = s;
  return r;
}

RedisReply array(const std::vector<std::string>& items) {
  RedisReply r;
  r.type = RedisReply::Type::kArray;
  for (const auto& s : items) r.elements.push_back(str(s));
  return r;
}

TEST(RedisJobScript, ArgsAreTheFourEveryScriptReads) {
  QueueOptions o;
  o.finished_retention_ms = 86'400'000;
  o.stats_window = 50;
  EXPECT_EQ(redis_job_args("t1:", 1'750'000'000'123, o),
            (std::vector<std::string>{"t1:", "1750000000123", "86400000", "50"}));
}

TEST(RedisJobScript, FieldsOfAHashReplyInOrder) {
  std::vector<std::pair<std::string, std::string>> seen;
  EXPECT_TRUE(for_each_redis_field(
      array({"id", "j1", "state", "queued", "err", ""}),
      [&](const std::string& f, const std::string& v) { seen.emplace_back(f, v); }));
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, std::string>>{
                      {"id", "j1"}, {"state", "queued"}, {"err", ""}}));
}

TEST(RedisJobScript, NoHashIsNotAnEmptyRecord) {
  int calls = 0;
  auto count = [&](const std::string&, const std::string&) { ++calls; };
  EXPECT_FALSE(for_each_redis_field(RedisReply{}, count));               // nil: no such key
  EXPECT_FALSE(for_each_redis_field(array({}), count));                  // HGETALL of a missing key
  EXPECT_FALSE(for_each_redis_field(str("id"), count));                  // not a hash at all
  EXPECT_TRUE(for_each_redis_field(array({"id", "j1", "odd"}), count));  // a dangling field
  EXPECT_EQ(calls, 1);
}

TEST(RedisJobScript, NumberFieldsReadLeniently) {
  EXPECT_EQ(redis_field_int("1750000000123"), 1'750'000'000'123);
  EXPECT_EQ(redis_field_int("-3"), -3);
  EXPECT_EQ(redis_field_int(""), 0);         // a field an older version did not write
  EXPECT_EQ(redis_field_int("garbage"), 0);  // damaged: the default, not an exception
}

TEST(RedisJobScript, ScriptsStartWithTheSharedPreambleAndHelpers) {
  if (auto why = RedisServer::unavailable_reason()) GTEST_SKIP() << *why;
  RedisServer server;
  auto redis = RedisConnection::open(server.url());
  QueueOptions o;
  // The body uses what the preamble defines: p, now_n, retention, window and jk().
  RedisScript s = redis_job_script(R"lua(
return {jk('x'), tostring(now_n + 1), retention, window, tostring(is_final('failed'))}
)lua");
  RedisReply r = redis->eval(s, {}, redis_job_args("pre:", 41, o));
  ASSERT_EQ(r.elements.size(), 5u);
  EXPECT_EQ(r.elements[0].str, "pre:job:x");
  EXPECT_EQ(r.elements[1].str, "42");
  EXPECT_EQ(r.elements[2].str, std::to_string(o.finished_retention_ms));
  EXPECT_EQ(r.elements[3].str, std::to_string(o.stats_window));
  EXPECT_EQ(r.elements[4].str, "true");
}

}  // namespace
}  // namespace tgscribe::store
