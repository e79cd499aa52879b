#include "store/sqlite/sqlite_db.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "common/error.h"
#include "support/test_util.h"

namespace tgscribe::store {
namespace {

using tgscribe::testing::TempDir;

// The message open() throws, or "" when it did not throw.
std::string open_error(const std::filesystem::path& file) {
  try {
    SqliteDb::open(file);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

int64_t pragma(SqliteDb& db, const std::string& name) {
  return db.read([&] {
    Statement q = db.prepare("PRAGMA " + name);
    return q.step() ? q.int_at(0) : int64_t{-1};
  });
}

TEST(SqliteDb, CreatesTheDirectoryAndUsesWal) {
  TempDir dir;
  auto file = dir / "nested/data/tgscribe.db";
  auto db = SqliteDb::open(file);
  EXPECT_TRUE(std::filesystem::exists(file));
  std::string mode = db->read([&] {
    Statement q = db->prepare("PRAGMA journal_mode");
    return q.step() ? q.text_at(0) : std::string();
  });
  EXPECT_EQ(mode, "wal");
  EXPECT_EQ(pragma(*db, "user_version"), 5);
  EXPECT_GT(pragma(*db, "busy_timeout"), 0);
  EXPECT_TRUE(db->healthy());
}

TEST(SqliteDb, ReopeningKeepsTheSchemaVersion) {
  TempDir dir;
  SqliteDb::open(dir / "tgscribe.db");
  auto again = SqliteDb::open(dir / "tgscribe.db");
  EXPECT_EQ(pragma(*again, "user_version"), 5);
}

TEST(SqliteDb, FailedWriteRollsBack) {
  TempDir dir;
  auto db = SqliteDb::open(dir / "tgscribe.db");
  EXPECT_THROW(db->write([&] {
    db->prepare("INSERT INTO chat_settings (chat_id, language, auto_mode) VALUES (1, 'en', 0)")
        .run();
    throw std::runtime_error("handler failed half-way");
  }),
               std::runtime_error);
  int64_t rows = db->read([&] {
    Statement q = db->prepare("SELECT COUNT(*) FROM chat_settings");
    return q.step() ? q.int_at(0) : -1;
  });
  EXPECT_EQ(rows, 0);
  db->write([&] {
    db->prepare("INSERT INTO chat_settings (chat_id, language, auto_mode) VALUES (1, 'en', 0)")
        .run();
  });
}

TEST(SqliteDb, CorruptFileIsAClearStartupError) {
  TempDir dir;
  auto file = dir / "tgscribe.db";
  std::string garbage;
  for (int i = 0; i < 512; ++i) garbage += "this is not a database. ";
  tgscribe::testing::write_file(file, garbage);
  std::string err = open_error(file);
  EXPECT_NE(err.find(file.string()), std::string::npos) << err;
  EXPECT_NE(err.find("not a database"), std::string::npos) << err;
  EXPECT_EQ(err.find('\n'), std::string::npos) << err;
}

TEST(SqliteDb, DataDirThatCannotBeCreatedIsAClearStartupError) {
  TempDir dir;
  tgscribe::testing::write_file(dir / "blocker", "a file where a directory should be");
  std::string err = open_error(dir / "blocker/data/tgscribe.db");
  EXPECT_NE(err.find((dir / "blocker").string()), std::string::npos) << err;
  EXPECT_NE(err.find("DATA_DIR"), std::string::npos) << err;
}

TEST(SqliteDb, SchemaFromANewerVersionIsRefused) {
  TempDir dir;
  auto file = dir / "tgscribe.db";
  {
    auto db = SqliteDb::open(file);
    db->read([&] { db->exec("PRAGMA user_version=99"); });
  }
  std::string err = open_error(file);
  EXPECT_NE(err.find(file.string()), std::string::npos) << err;
  EXPECT_NE(err.find("newer"), std::string::npos) << err;
}

// A full disk, simulated with a file size limit in a child process (tests run as root, so a
// read-only directory cannot be simulated with permissions).
TEST(SqliteDb, FullDiskIsAClearStartupError) {
  TempDir dir;
  auto file = dir / "tgscribe.db";
  auto report = dir / "error.txt";
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    signal(SIGXFSZ, SIG_IGN);  // writes past the limit fail with EFBIG instead of killing us
    rlimit limit{8 * 1024, 8 * 1024};
    setrlimit(RLIMIT_FSIZE, &limit);
    std::string err = open_error(file);
    limit = {RLIM_INFINITY, RLIM_INFINITY};
    setrlimit(RLIMIT_FSIZE, &limit);
    tgscribe::testing::write_file(report, err);
    _exit(err.empty() ? 1 : 0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  std::string err = tgscribe::testing::read_file(report);
  EXPECT_EQ(WEXITSTATUS(status), 0) << "opening a database on a full disk did not fail";
  EXPECT_NE(err.find(file.string()), std::string::npos) << err;
}

}  // namespace
}  // namespace tgscribe::store
