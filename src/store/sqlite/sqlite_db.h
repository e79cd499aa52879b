#pragma once
// One SQLite connection per process for the cache, queue and settings tables of DATA_DIR's
// tgscribe.db: WAL (readers never block the writer), busy_timeout (a second process on the
// same file waits instead of failing), schema versioned with PRAGMA user_version, prepared
// statements cached per SQL text. SQLite serialises writers per file anyway, so one connection
// behind a mutex costs little and keeps every state change one short transaction.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace tgscribe::store {

class SqliteDb;

// A cached prepared statement borrowed for one use: bind, step, read columns. Reset (and its
// bindings cleared) when it goes out of scope, so the next user starts clean.
class Statement {
 public:
  Statement(SqliteDb& db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
  Statement& bind(int index, bool value) { return bind(index, static_cast<int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, const std::string& value);
  Statement& bind(int index, const char* value) { return bind(index, std::string(value)); }

  // Binds ?1, ?2, ... in order.
  template <typename... Args>
  Statement& bind_all(const Args&... args) {
    int i = 0;
    (bind(++i, args), ...);
    return *this;
  }

  bool step();  // true: a row is ready; false: done. Throws on error.
  void run() {
    while (step()) {
    }
  }
  int64_t int_at(int col) const;
  double double_at(int col) const;
  std::string text_at(int col) const;
  bool null_at(int col) const;

 private:
  SqliteDb& db_;
  sqlite3_stmt* stmt_;
};

class SqliteDb {
 public:
  // Creates the directory and file when missing, enables WAL, migrates the schema and checks
  // that the file can be written. Throws tgscribe::Error with a plain message naming the path
  // when the directory is not writable, the disk is full or the file is not a usable database.
  static std::shared_ptr<SqliteDb> open(const std::filesystem::path& file);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs f() under the connection mutex inside BEGIN IMMEDIATE ... COMMIT (taking the write
  // lock up front, so two processes never deadlock upgrading a read); rolls back when f throws.
  template <typename F>
  auto write(F&& f) -> decltype(f()) {
    std::lock_guard lock(mutex_);
    exec("BEGIN IMMEDIATE");
    try {
      if constexpr (std::is_void_v<decltype(f())>) {
        f();
        exec("COMMIT");
      } else {
        auto result = f();
        exec("COMMIT");
        return result;
      }
    } catch (...) {
      rollback_quietly();
      throw;
    }
  }

  // Runs f() under the connection mutex as one read (a single statement, or several that
  // need no common snapshot).
  template <typename F>
  auto read(F&& f) -> decltype(f()) {
    std::lock_guard lock(mutex_);
    return f();
  }

  // Only inside write()/read().
  Statement prepare(const std::string& sql);
  int64_t changes() const;
  void exec(const std::string& sql);

  bool healthy();
  const std::filesystem::path& path() const { return path_; }

  // Throws tgscribe::Error naming the database for an SQLite result code.
  [[noreturn]] void fail(int rc, const std::string& what) const;

 private:
  explicit SqliteDb(std::filesystem::path path);
  void migrate();
  void rollback_quietly();

  const std::filesystem::path path_;
  std::mutex mutex_;
  sqlite3* db_ = nullptr;                                      // guarded by mutex_
  std::unordered_map<std::string, sqlite3_stmt*> statements_;  // guarded by mutex_
};

}  // namespace tgscribe::store
