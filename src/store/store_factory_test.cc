#include "store/store_factory.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "store/testing/redis_server.h"
#include "support/test_util.h"

namespace tgscribe::store {
namespace {

using namespace std::chrono_literals;
using tgscribe::testing::TempDir;

config::Config config_for(const std::filesystem::path& data_dir, const std::string& type) {
  config::Config c;
  c.data_dir = data_dir.string();
  c.cache_type = c.queue_type = type;
  return c;
}

Admission admission(int64_t update_id, const std::string& job_id) {
  Admission a;
  a.update_id = update_id;
  Job j;
  j.id = job_id;
  j.user_id = 1;
  a.job = j;
  a.per_user_limit = 3;
  OutboxEntry status;
  status.id = job_id + ":status";
  status.chat_id = 1;
  status.job_id = job_id;
  a.messages = {status};
  return a;
}

void exercise(Stores& s) {
  ASSERT_TRUE(s.cache && s.updates && s.queue && s.outbox && s.settings && s.inflight);
  s.cache->put_file("f", "sha", 1);
  EXPECT_EQ(s.cache->sha_for_file("f"), "sha");
  EXPECT_TRUE(s.updates->admit(admission(1, "j1")).accepted);
  EXPECT_EQ(s.queue->position("j1"), 1);
  EXPECT_EQ(s.outbox->get("j1:status")->state, OutboxState::kPending);
  s.settings->put(5, {"id", true});
  EXPECT_EQ(s.settings->get(5).language, "id");
  auto outcome = s.inflight->run("sha|sphinx", [] {
    transcript::Transcript t;
    t.segments.push_back({0, 1, "ran once"});
    return t;
  });
  EXPECT_EQ(outcome.transcript.text(), "ran once");
  EXPECT_FALSE(outcome.joined);
  EXPECT_TRUE(s.cache->healthy());
  EXPECT_TRUE(s.updates->healthy());
  EXPECT_TRUE(s.queue->healthy());
  EXPECT_TRUE(s.outbox->healthy());
}

TEST(MakeStores, MemoryTouchesNoDisk) {
  TempDir dir;
  auto stores = make_stores(config_for(dir / "data", "memory"));
  exercise(stores);
  EXPECT_FALSE(std::filesystem::exists(dir / "data"));
}

TEST(MakeStores, SqlitePersistsInDataDir) {
  TempDir dir;
  auto cfg = config_for(dir / "data", "sqlite");
  {
    auto stores = make_stores(cfg);
    exercise(stores);
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "data/tgscribe.db"));
  EXPECT_EQ(sqlite_path(cfg), (dir / "data/tgscribe.db").string());
  auto again = make_stores(cfg);
  EXPECT_EQ(again.cache->sha_for_file("f"), "sha");  // through the (empty) memory tier
  EXPECT_EQ(again.queue->get("j1")->state, JobState::kQueued);
  EXPECT_TRUE(again.updates->seen(1));
  EXPECT_EQ(again.outbox->pending(), 1);
  EXPECT_EQ(again.settings->get(5).language, "id");
}

TEST(MakeStores, MixedTypesAndDisabledCache) {
  TempDir dir;
  auto cfg = config_for(dir / "data", "sqlite");
  cfg.cache_type = "memory";
  cfg.cache_enabled = false;
  auto stores = make_stores(cfg);
  EXPECT_EQ(stores.cache, nullptr);
  ASSERT_TRUE(stores.updates && stores.queue && stores.outbox);
  EXPECT_TRUE(stores.updates->admit(admission(1, "j")).accepted);
}

TEST(MakeStores, UnusableDataDirIsAClearError) {
  TempDir dir;
  tgscribe::testing::write_file(dir / "file", "x");
  try {
    make_stores(config_for(dir / "file/data", "sqlite"));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find((dir / "file").string()), std::string::npos) << e.what();
  }
}

TEST(MakeStores, UnknownTypeIsRefused) {
  TempDir dir;
  auto cfg = config_for(dir / "data", "memory");
  cfg.queue_type = "postgres";
  try {
    make_stores(cfg);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("QUEUE_TYPE"), std::string::npos) << e.what();
  }
}

TEST(MakeStores, RedisSharesOneServer) {
  std::string why;
  auto* server = testing::shared_redis_server(&why);
  if (!server) GTEST_SKIP() << why;
  TempDir dir;
  auto cfg = config_for(dir / "data", "redis");
  cfg.redis_url = server->url(7);  // a db of its own: other tests use key prefixes on db 0
  auto stores = make_stores(cfg);
  exercise(stores);
  EXPECT_FALSE(std::filesystem::exists(dir / "data/tgscribe.db"));
  auto again = make_stores(cfg);  // another instance sees the same queue
  EXPECT_EQ(again.queue->get("j1")->state, JobState::kQueued);
  EXPECT_TRUE(again.updates->seen(1));
}

}  // namespace
}  // namespace tgscribe::store
