#include "store/sqlite/sqlite_db.h"

#include <sqlite3.h>

#include <chrono>
#include <system_error>
#include <thread>

#include "common/error.h"

namespace tgscribe::store {
namespace {

// Schema history: entry i upgrades user_version i to i+1. Never edit a shipped entry; append.
const char* const kMigrations[] = {
    // 1: cache, queue and settings tables.
    R"sql(
    CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
    CREATE TABLE cache_files (
      file_unique_id TEXT PRIMARY KEY, sha256 TEXT NOT NULL,
      expires_ms INTEGER NOT NULL, used_seq INTEGER NOT NULL);
    CREATE INDEX cache_files_used ON cache_files (used_seq);
    CREATE INDEX cache_files_expires ON cache_files (expires_ms);
    CREATE TABLE cache_transcripts (
      content_key TEXT PRIMARY KEY, json TEXT NOT NULL,
      expires_ms INTEGER NOT NULL, used_seq INTEGER NOT NULL);
    CREATE INDEX cache_transcripts_used ON cache_transcripts (used_seq);
    CREATE INDEX cache_transcripts_expires ON cache_transcripts (expires_ms);
    -- used_seq: a use counter per table (not a time, which ties), for LRU eviction.
    -- kind 0 = file key, 1 = content key; who caused an entry, for /forget.
    CREATE TABLE cache_owners (
      kind INTEGER NOT NULL, key TEXT NOT NULL, user_id INTEGER NOT NULL,
      PRIMARY KEY (kind, key, user_id)) WITHOUT ROWID;
    CREATE INDEX cache_owners_user ON cache_owners (user_id);
    CREATE TABLE jobs (
      id TEXT PRIMARY KEY, user_id INTEGER NOT NULL, chat_id INTEGER NOT NULL,
      priority INTEGER NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL,
      created_ms INTEGER NOT NULL, started_ms INTEGER NOT NULL, finished_ms INTEGER NOT NULL,
      not_before_ms INTEGER NOT NULL, lease_until_ms INTEGER NOT NULL,
      cancel_requested INTEGER NOT NULL, last_error TEXT NOT NULL, worker_id TEXT NOT NULL,
      payload TEXT NOT NULL);
    CREATE INDEX jobs_state ON jobs (state, not_before_ms);
    CREATE INDEX jobs_user ON jobs (user_id, state);
    CREATE INDEX jobs_finished ON jobs (finished_ms);
    CREATE TABLE job_steps (
      job_id TEXT NOT NULL, step TEXT NOT NULL, done_ms INTEGER NOT NULL,
      PRIMARY KEY (job_id, step)) WITHOUT ROWID;
    CREATE TABLE seen_updates (update_id INTEGER PRIMARY KEY, seen_ms INTEGER NOT NULL);
    CREATE INDEX seen_updates_time ON seen_updates (seen_ms);
    CREATE TABLE chat_settings (
      chat_id INTEGER PRIMARY KEY, language TEXT NOT NULL, auto_mode INTEGER NOT NULL);
    )sql",
    // 2: exactly-once job path: admitted updates, the outbox and its chat leases replace
    // seen_updates and job_steps.
    R"sql(
    CREATE TABLE updates (
      update_id INTEGER PRIMARY KEY, admitted_ms INTEGER NOT NULL, job_id TEXT NOT NULL);
    CREATE INDEX updates_time ON updates (admitted_ms);
    -- Updates seen by the previous version stay de-duplicated.
    INSERT INTO updates (update_id, admitted_ms, job_id)
      SELECT update_id, seen_ms, '' FROM seen_updates;
    DROP TABLE seen_updates;
    DROP TABLE job_steps;
    ALTER TABLE jobs ADD COLUMN update_id INTEGER NOT NULL DEFAULT 0;
    -- seq: AUTOINCREMENT never reuses a value, so it orders entries as they were added.
    CREATE TABLE outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
      chat_id INTEGER NOT NULL, job_id TEXT NOT NULL, body TEXT NOT NULL, state TEXT NOT NULL,
      message_id INTEGER NOT NULL, attempts INTEGER NOT NULL, not_before_ms INTEGER NOT NULL,
      created_ms INTEGER NOT NULL, last_error TEXT NOT NULL);
    CREATE INDEX outbox_pending ON outbox (state, chat_id, seq);
    CREATE INDEX outbox_job ON outbox (job_id);
    CREATE INDEX outbox_created ON outbox (created_ms);
    CREATE TABLE outbox_chats (
      chat_id INTEGER PRIMARY KEY, owner TEXT NOT NULL, lease_until_ms INTEGER NOT NULL);
    )sql",
    // 3: `tgscribe jobs`: a retried job's fresh budget (see Job::budget_base), and newest-first
    // listing without sorting the whole table.
    R"sql(
    ALTER TABLE jobs ADD COLUMN budget_base INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX jobs_created ON jobs (created_ms);
    )sql",
    // 4: per-chat choices (/formats, /timestamps, /speakers); existing chats keep the
    // defaults: formats '' = OUTPUT_FORMATS (store::formats_to_text), both switches off.
    R"sql(
    ALTER TABLE chat_settings ADD COLUMN formats TEXT NOT NULL DEFAULT '';
    ALTER TABLE chat_settings ADD COLUMN timestamps INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE chat_settings ADD COLUMN speakers INTEGER NOT NULL DEFAULT 0;
    )sql",
    // 5: outbox priorities (store::OutboxEntry::priority): a chat whose first pending entry
    // is a first reply is claimed before bulk. Entries written before count as bulk.
    R"sql(
    ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
    )sql",
};
constexpr int kSchemaVersion = sizeof(kMigrations) / sizeof(kMigrations[0]);

ErrorKind kind_for(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
      return ErrorKind::kServer;  // transient or operational: a later retry may succeed
    default:
      return ErrorKind::kInternal;
  }
}

}  // namespace

// --- Statement ---

Statement::~Statement() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement& Statement::bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) db_.fail(rc, "bind");
  return *this;
}

Statement& Statement::bind(int index, double value) {
  int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK) db_.fail(rc, "bind");
  return *this;
}

Statement& Statement::bind(int index, const std::string& value) {
  int rc = sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                             SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) db_.fail(rc, "bind");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_.fail(rc, sqlite3_sql(stmt_));
}

int64_t Statement::int_at(int col) const { return sqlite3_column_int64(stmt_, col); }
double Statement::double_at(int col) const { return sqlite3_column_double(stmt_, col); }
bool Statement::null_at(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
std::string Statement::text_at(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, col))
           : std::string();
}

// --- SqliteDb ---

SqliteDb::SqliteDb(std::filesystem::path path) : path_(std::move(path)) {}

SqliteDb::~SqliteDb() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  if (db_) sqlite3_close_v2(db_);
}

void SqliteDb::fail(int rc, const std::string& what) const {
  std::string detail = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  throw Error(kind_for(rc), "database " + path_.string() + ": " + detail + " (" + what + ")");
}

std::shared_ptr<SqliteDb> SqliteDb::open(const std::filesystem::path& file) {
  std::shared_ptr<SqliteDb> db(new SqliteDb(file));
  const std::string where = "cannot use the database " + file.string() + ": ";
  try {
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
  } catch (const std::filesystem::filesystem_error& e) {
    throw Error(ErrorKind::kInternal, "cannot create the data directory " +
                                          file.parent_path().string() + ": " + e.code().message() +
                                          " (check DATA_DIR)");
  }
  int rc =
      sqlite3_open_v2(file.c_str(), &db->db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db->db_ ? sqlite3_errmsg(db->db_) : sqlite3_errstr(rc);
    throw Error(kind_for(rc), where + msg + " (check that DATA_DIR is writable)");
  }
  try {
    std::lock_guard lock(db->mutex_);
    // Wait for a second process holding the write lock instead of failing at once.
    sqlite3_busy_timeout(db->db_, 10'000);
    sqlite3_extended_result_codes(db->db_, 1);
    // Switching to WAL can answer SQLITE_BUSY without calling the busy handler while another
    // process opens the same file (an ingest and a worker starting together): ask again for
    // as long as the busy timeout would have waited.
    for (auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);;) {
      try {
        Statement mode = db->prepare("PRAGMA journal_mode=WAL");
        if (!mode.step() || mode.text_at(0) != "wal") {
          throw Error(ErrorKind::kInternal, "WAL mode unavailable");
        }
        break;
      } catch (const Error&) {
        if ((sqlite3_errcode(db->db_) & 0xff) != SQLITE_BUSY ||
            std::chrono::steady_clock::now() > give_up) {
          throw;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    // FULL: a job is on disk when admit returns, even if the machine (not just the
    // process) dies; the queue writes a few rows per job, so the fsync is affordable.
    db->exec("PRAGMA synchronous=FULL");
    db->migrate();
  } catch (const Error& e) {
    std::string msg = e.what();
    // fail() already names the path; keep the message one plain line.
    const std::string prefix = "database " + file.string() + ": ";
    if (msg.rfind(prefix, 0) == 0) msg = msg.substr(prefix.size());
    throw Error(e.kind(), where + msg);
  }
  return db;
}

void SqliteDb::migrate() {
  exec("BEGIN IMMEDIATE");
  try {
    int version = 0;
    {
      Statement v = prepare("PRAGMA user_version");
      if (v.step()) version = static_cast<int>(v.int_at(0));
    }
    if (version > kSchemaVersion) {
      throw Error(ErrorKind::kInternal, "schema version " + std::to_string(version) +
                                            " is newer than this tgscribe (" +
                                            std::to_string(kSchemaVersion) + "); upgrade tgscribe");
    }
    for (int v = version; v < kSchemaVersion; ++v) {
      exec(kMigrations[v]);
      exec("PRAGMA user_version=" + std::to_string(v + 1));
    }
    // A real write on every start: a read-only directory or a full disk shows up here, as a
    // startup error, instead of as lost jobs later.
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    prepare("INSERT OR REPLACE INTO meta (k, v) VALUES ('last_open_ms', ?1)")
        .bind(1, std::to_string(now))
        .run();
    exec("COMMIT");
  } catch (...) {
    rollback_quietly();
    throw;
  }
}

Statement SqliteDb::prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) fail(rc, "prepare");
    it = statements_.emplace(sql, stmt).first;
  }
  return Statement(*this, it->second);
}

int64_t SqliteDb::changes() const { return sqlite3_changes64(db_); }

void SqliteDb::exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (err) sqlite3_free(err);
  if (rc != SQLITE_OK) fail(rc, sql.substr(0, 40));
}

void SqliteDb::rollback_quietly() {
  if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

bool SqliteDb::healthy() {
  try {
    return read([&] {
      Statement s = prepare("SELECT 1");
      return s.step() && s.int_at(0) == 1;
    });
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace tgscribe::store
