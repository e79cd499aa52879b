// SQLite-specific job store tests: durability across a process that dies without closing, two
// processes sharing one file, transactions that fail half-way, and the upgrade from the
// previous schema. The behaviour every backend shares is in job_queue_test.cc,
// update_log_test.cc and outbox_test.cc.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "common/error.h"
#include "common/testing/manual_clock.h"
#include "store/sqlite/sqlite_job_stores.h"
#include "store/sqlite/sqlite_settings_store.h"
#include "store/testing/store_factories.h"
#include "support/test_util.h"

namespace tgscribe::store {
namespace {

using namespace std::chrono_literals;
using testing::numbered;
using tgscribe::testing::ManualClock;
using tgscribe::testing::TempDir;

OutboxEntry message(const std::string& id, int64_t chat, const std::string& job_id = "") {
  OutboxEntry e;
  e.id = id;
  e.chat_id = chat;
  e.job_id = job_id;
  e.body = "{}";
  return e;
}

Admission admission(int64_t update_id, int64_t user, int limit = 0) {
  Admission a;
  a.update_id = update_id;
  Job j;
  j.id = numbered("u", static_cast<int>(update_id));
  j.user_id = user;
  j.chat_id = user;
  j.payload = "{}";
  a.job = j;
  a.per_user_limit = limit;
  a.messages = {message(j.id + ":status", j.chat_id, j.id)};
  return a;
}

JobOutcome delivered() {
  JobOutcome o;
  o.state = JobState::kDelivered;
  return o;
}

JobStores open_stores(const std::filesystem::path& file, Clock& clock) {
  return make_sqlite_job_stores(SqliteDb::open(file), clock);
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

// Makes every insert into `table` with id `id` fail inside its transaction, as a full disk
// or an I/O error half-way through would.
void fail_inserts(const std::filesystem::path& file, const std::string& table,
                  const std::string& id) {
  auto db = SqliteDb::open(file);
  db->write([&] {
    db->exec("CREATE TRIGGER fail_" + table + " BEFORE INSERT ON " + table + " WHEN NEW.id = '" +
             id + "' BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
  });
}

TEST(SqliteJobStoresDurability, WorkAdmittedByADeadProcessIsThere) {
  TempDir dir;
  auto file = dir / "tgscribe.db";
  ManualClock clock;
  int code = in_child([&] {
    auto s = open_stores(file, clock);
    for (int i = 1; i <= 5; ++i) {
      if (!s.updates->admit(admission(i, 1)).accepted) return 2;
    }
    if (!s.queue->claim("doomed", 1ms)) return 3;       // u1 left running by the "crash"
    if (!s.outbox->claim("doomed", 1ms, 10)) return 4;  // and chat 1 held
    return 0;
  });
  ASSERT_EQ(code, 0);

  auto s = open_stores(file, clock);
  QueueStats st = s.queue->stats();
  EXPECT_EQ(st.queued, 4);
  EXPECT_EQ(st.running, 1);
  EXPECT_EQ(s.outbox->pending(), 5);
  for (int i = 1; i <= 5; ++i) EXPECT_TRUE(s.updates->seen(i)) << i;
  EXPECT_TRUE(s.updates->admit(admission(3, 1)).duplicate);
  clock.advance(2ms);  // the dead process's leases run out
  std::set<std::string> claimed;
  while (auto j = s.queue->claim("survivor", 60s)) claimed.insert(j->id);
  EXPECT_EQ(claimed.size(), 5u);
  auto batch = s.outbox->claim("survivor", 30s, 10);
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->entries.size(), 5u);
}

TEST(SqliteJobStoresDurability, TwoProcessesClaimAndFinishEachJobOnce) {
  TempDir dir;
  auto file = dir / "tgscribe.db";
  constexpr int kJobs = 40;
  {
    ManualClock clock;
    auto s = open_stores(file, clock);
    for (int i = 1; i <= kJobs; ++i) ASSERT_TRUE(s.updates->admit(admission(i, i)).accepted);
  }
  auto drain = [&](const std::string& me) {
    ManualClock clock;
    auto s = open_stores(file, clock);
    int errors = 0;
    while (auto j = s.queue->claim(me, 60s)) {
      if (!s.queue->finish(j->id, j->attempts, delivered(),
                           {message(j->id + ":text:0", j->chat_id, j->id)})) {
        ++errors;
      }
    }
    return errors;
  };
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) _exit(drain("child") == 0 ? 0 : 1);
  int parent_errors = drain("parent");
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(parent_errors, 0);

  ManualClock clock;
  auto s = open_stores(file, clock);
  EXPECT_EQ(s.queue->stats().delivered, kJobs);
  EXPECT_EQ(s.outbox->pending(), 2 * kJobs);  // a status and a text per job
  for (int i = 1; i <= kJobs; ++i) {
    auto j = s.queue->get(numbered("u", i));
    ASSERT_TRUE(j);
    EXPECT_EQ(j->attempts, 1) << j->id;
  }
}

TEST(SqliteJobStoresDurability, TwoConnectionsShareLimitsAndChats) {
  TempDir dir;
  auto file = dir / "tgscribe.db";
  ManualClock clock;
  auto a = open_stores(file, clock);
  auto b = open_stores(file, clock);  // a second instance on the same file
  EXPECT_TRUE(a.updates->admit(admission(1, 9, 2)).accepted);
  EXPECT_TRUE(b.updates->admit(admission(2, 9, 2)).accepted);
  EXPECT_FALSE(a.updates->admit(admission(3, 9, 2)).accepted);
  EXPECT_TRUE(b.updates->admit(admission(3, 9, 2)).duplicate);

  a.outbox->add({message("x", 100)});
  b.outbox->add({message("y", 200)});
  auto first = a.outbox->claim("a", 30s, 10);
  auto second = b.outbox->claim("b", 30s, 10);
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->chat_id, second->chat_id);
  EXPECT_FALSE(b.outbox->renew(first->chat_id, "b", 30s));
}

TEST(SqliteJobStoresDurability, FailedAdmitWritesNothing) {
  TempDir dir;
  auto file = dir / "tgscribe.db";
  fail_inserts(file, "outbox", "u1:status");
  ManualClock clock;
  auto s = open_stores(file, clock);
  EXPECT_THROW(s.updates->admit(admission(1, 1)), Error);
  EXPECT_FALSE(s.updates->seen(1));
  EXPECT_FALSE(s.queue->get("u1").has_value());
  EXPECT_EQ(s.outbox->pending(), 0);
}

TEST(SqliteJobStoresDurability, FailedFinishLeavesTheClaimAsItWas) {
  TempDir dir;
  auto file = dir / "tgscribe.db";
  fail_inserts(file, "outbox", "u1:text:1");
  ManualClock clock;
  auto s = open_stores(file, clock);
  ASSERT_TRUE(s.updates->admit(admission(1, 1)).accepted);
  auto j = s.queue->claim("w", 30s);
  ASSERT_TRUE(j);
  EXPECT_THROW(s.queue->finish("u1", j->attempts, delivered(),
                               {message("u1:text:0", 1, "u1"), message("u1:text:1", 1, "u1")}),
               Error);
  EXPECT_EQ(s.queue->get("u1")->state, JobState::kRunning);
  EXPECT_FALSE(s.outbox->get("u1:text:0").has_value());
  EXPECT_TRUE(s.queue->finish("u1", j->attempts, delivered(), {message("u1:text:0", 1, "u1")}));
}

// Schema version 1, as the previous release created it.
const char* const kVersion1Schema = R"sql(
  CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
  CREATE TABLE cache_files (
    file_unique_id TEXT PRIMARY KEY, sha256 TEXT NOT NULL,
    expires_ms INTEGER NOT NULL, used_seq INTEGER NOT NULL);
  CREATE TABLE cache_transcripts (
    content_key TEXT PRIMARY KEY, json TEXT NOT NULL,
    expires_ms INTEGER NOT NULL, used_seq INTEGER NOT NULL);
  CREATE TABLE cache_owners (
    kind INTEGER NOT NULL, key TEXT NOT NULL, user_id INTEGER NOT NULL,
    PRIMARY KEY (kind, key, user_id)) WITHOUT ROWID;
  CREATE TABLE jobs (
    id TEXT PRIMARY KEY, user_id INTEGER NOT NULL, chat_id INTEGER NOT NULL,
    priority INTEGER NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL,
    created_ms INTEGER NOT NULL, started_ms INTEGER NOT NULL, finished_ms INTEGER NOT NULL,
    not_before_ms INTEGER NOT NULL, lease_until_ms INTEGER NOT NULL,
    cancel_requested INTEGER NOT NULL, last_error TEXT NOT NULL, worker_id TEXT NOT NULL,
    payload TEXT NOT NULL);
  CREATE TABLE job_steps (
    job_id TEXT NOT NULL, step TEXT NOT NULL, done_ms INTEGER NOT NULL,
    PRIMARY KEY (job_id, step)) WITHOUT ROWID;
  CREATE TABLE seen_updates (update_id INTEGER PRIMARY KEY, seen_ms INTEGER NOT NULL);
  CREATE TABLE chat_settings (
    chat_id INTEGER PRIMARY KEY, language TEXT NOT NULL, auto_mode INTEGER NOT NULL);
  INSERT INTO jobs VALUES ('old', 3, 30, 0, 'queued', 0, 1000, 0, 0, 0, 0, 0, '', '', '{}');
  INSERT INTO job_steps VALUES ('old', 'text:0', 1000);
  INSERT INTO seen_updates VALUES (555, 1000);
  PRAGMA user_version = 1;
)sql";

TEST(SqliteJobStoresMigration, UpgradesFromVersion1) {
  TempDir dir;
  auto file = dir / "tgscribe.db";
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &raw), SQLITE_OK);
    char* err = nullptr;
    int rc = sqlite3_exec(raw, kVersion1Schema, nullptr, nullptr, &err);
    std::string msg = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(raw);
    ASSERT_EQ(rc, SQLITE_OK) << msg;
  }
  auto db = SqliteDb::open(file);
  int64_t version = db->read([&] {
    Statement q = db->prepare("PRAGMA user_version");
    return q.step() ? q.int_at(0) : int64_t{-1};
  });
  EXPECT_EQ(version, 5);
  int64_t old_tables = db->read([&] {
    Statement q = db->prepare(
        "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('job_steps', 'seen_updates')");
    return q.step() ? q.int_at(0) : int64_t{-1};
  });
  EXPECT_EQ(old_tables, 0);

  ManualClock clock;
  auto s = make_sqlite_job_stores(db, clock);
  auto old = s.queue->get("old");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->update_id, 0);
  EXPECT_EQ(old->user_id, 3);
  EXPECT_EQ(old->budget_base, 0);     // version 3: rows from before count every claim
  EXPECT_TRUE(s.updates->seen(555));  // updates seen before the upgrade stay seen
  EXPECT_TRUE(s.updates->admit(admission(555, 3)).duplicate);
  ASSERT_TRUE(s.updates->admit(admission(556, 3)).accepted);
  auto j = s.queue->claim("w", 30s);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->id, "old");
  EXPECT_TRUE(s.queue->finish("old", j->attempts, delivered(), {message("old:text:0", 30)}));
  EXPECT_EQ(s.outbox->pending(), 2);
}

// A chat's /lang and /mode from before per-chat choices existed (schema 4) survive the
// upgrade, and its new choices read as the defaults until it sets them.
TEST(SqliteJobStoresMigration, ChatSettingsKeepTheirValuesAndGainDefaults) {
  TempDir dir;
  auto file = dir / "tgscribe.db";
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &raw), SQLITE_OK);
    std::string sql =
        std::string(kVersion1Schema) + "INSERT INTO chat_settings VALUES (-5, 'id', 1);";
    char* err = nullptr;
    int rc = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &err);
    std::string msg = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(raw);
    ASSERT_EQ(rc, SQLITE_OK) << msg;
  }
  auto db = SqliteDb::open(file);
  SqliteSettingsStore settings(db);
  ChatSettings old = settings.get(-5);
  EXPECT_EQ(old.language, "id");
  EXPECT_TRUE(old.auto_mode);
  EXPECT_FALSE(old.formats.has_value());
  EXPECT_FALSE(old.timestamps);
  EXPECT_FALSE(old.speakers);
  old.formats = std::vector<std::string>{"vtt"};
  old.speakers = true;
  settings.put(-5, old);
  EXPECT_EQ(settings.get(-5).formats, std::vector<std::string>{"vtt"});
  EXPECT_EQ(settings.get(-5).language, "id");
}

}  // namespace
}  // namespace tgscribe::store
