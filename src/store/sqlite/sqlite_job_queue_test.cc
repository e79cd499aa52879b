// SQLite-specific queue tests: durability across a process that dies without closing, and two
// processes sharing one file. The behaviour every queue shares is in job_queue_test.cc.
#include "store/sqlite/sqlite_job_queue.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "store/testing/store_factories.h"
#include "support/test_util.h"

namespace tgscribe::store {
namespace {

using namespace std::chrono_literals;
using testing::numbered;
using tgscribe::testing::TempDir;

Job job(const std::string& id, int64_t user) {
  Job j;
  j.id = id;
  j.user_id = user;
  j.chat_id = user;
  j.payload = "{}";
  return j;
}

// Runs f in a forked child that ends with _exit (no destructors, no close): like kill -9
// right after f returns. Returns the child's exit code.
template <typename F>
int in_child(F f) {
  pid_t pid = fork();
  if (pid == 0) _exit(f());
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(SqliteJobQueueDurability, JobsEnqueuedByADeadProcessAreThere) {
  TempDir dir;
  auto file = dir / "tgscribe.db";
  int code = in_child([&] {
    SqliteJobQueue q(SqliteDb::open(file));
    for (int i = 0; i < 5; ++i) {
      if (!q.enqueue(job(numbered("j", i), 1), 0).accepted) return 2;
    }
    if (!q.claim("doomed", 1ms)) return 3;  // j0 left running by the "crash"
    return 0;
  });
  ASSERT_EQ(code, 0);

  SqliteJobQueue q(SqliteDb::open(file));
  QueueStats s = q.stats();
  EXPECT_EQ(s.queued, 4);
  EXPECT_EQ(s.running, 1);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(q.get(numbered("j", i))) << i;
  std::set<std::string> claimed;
  while (auto j = q.claim("survivor", 60s)) claimed.insert(j->id);  // j0's lease ran out
  EXPECT_EQ(claimed.size(), 5u);
}

TEST(SqliteJobQueueDurability, TwoProcessesClaimEachJobOnce) {
  TempDir dir;
  auto file = dir / "tgscribe.db";
  constexpr int kJobs = 40;
  {
    SqliteJobQueue q(SqliteDb::open(file));
    for (int i = 0; i < kJobs; ++i) q.enqueue(job(numbered("j", i), i), 0);
  }
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  auto drain = [&](const std::string& me) {
    SqliteJobQueue q(SqliteDb::open(file));
    int errors = 0;
    while (auto j = q.claim(me, 60s)) {
      // A second claim of the same job would find this step already marked.
      if (!q.mark_step(j->id, "claimed")) ++errors;
      q.mark_delivered(j->id);
    }
    return errors;
  };
  if (pid == 0) _exit(drain("child") == 0 ? 0 : 1);
  int parent_errors = drain("parent");
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(parent_errors, 0);

  SqliteJobQueue q(SqliteDb::open(file));
  EXPECT_EQ(q.stats().delivered, kJobs);
  for (int i = 0; i < kJobs; ++i) {
    auto j = q.get(numbered("j", i));
    ASSERT_TRUE(j);
    EXPECT_EQ(j->attempts, 1) << j->id;
  }
}

TEST(SqliteJobQueueDurability, PerUserLimitHoldsAcrossConnections) {
  TempDir dir;
  auto file = dir / "tgscribe.db";
  SqliteJobQueue a(SqliteDb::open(file));
  SqliteJobQueue b(SqliteDb::open(file));  // a second instance on the same file
  EXPECT_TRUE(a.enqueue(job("x1", 9), 2).accepted);
  EXPECT_TRUE(b.enqueue(job("x2", 9), 2).accepted);
  EXPECT_FALSE(a.enqueue(job("x3", 9), 2).accepted);
  EXPECT_FALSE(b.enqueue(job("x3", 9), 2).accepted);
}

}  // namespace
}  // namespace tgscribe::store
