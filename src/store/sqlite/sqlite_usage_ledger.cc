#include "store/sqlite/sqlite_usage_ledger.h"

#include <algorithm>

namespace tgscribe::store {
namespace {

// The same counters in both tables, summed the same way.
constexpr const char* kColumns =
    "audio_s REAL NOT NULL DEFAULT 0, billed_s REAL NOT NULL DEFAULT 0, "
    "bytes INTEGER NOT NULL DEFAULT 0, tokens INTEGER NOT NULL DEFAULT 0, "
    "cost_usd REAL NOT NULL DEFAULT 0, cache_saved_s REAL NOT NULL DEFAULT 0, "
    "requests INTEGER NOT NULL DEFAULT 0";
constexpr const char* kSums =
    "SUM(audio_s), SUM(billed_s), SUM(bytes), SUM(tokens), SUM(cost_usd), SUM(cache_saved_s), "
    "SUM(requests)";
constexpr const char* kOnConflictAdd =
    "DO UPDATE SET audio_s = audio_s + excluded.audio_s, billed_s = billed_s + excluded.billed_s, "
    "bytes = bytes + excluded.bytes, tokens = tokens + excluded.tokens, "
    "cost_usd = cost_usd + excluded.cost_usd, "
    "cache_saved_s = cache_saved_s + excluded.cache_saved_s, "
    "requests = requests + excluded.requests";

// Reads the seven sums starting at column `col` (NULL sums of no rows read as 0).
Usage usage_at(const Statement& q, int col) {
  Usage u;
  u.audio_s = q.double_at(col);
  u.billed_s = q.double_at(col + 1);
  u.bytes = q.int_at(col + 2);
  u.tokens = q.int_at(col + 3);
  u.cost_usd = q.double_at(col + 4);
  u.cache_saved_s = q.double_at(col + 5);
  u.requests = q.int_at(col + 6);
  return u;
}

}  // namespace

SqliteUsageLedger::SqliteUsageLedger(std::shared_ptr<SqliteDb> db) : db_(std::move(db)) {
  // Its own CREATE IF NOT EXISTS rather than a step of SqliteDb's migrations: the ledger is
  // optional to the job's path, and a database from before it simply gains the tables.
  db_->write([&] {
    db_->exec(std::string("CREATE TABLE IF NOT EXISTS usage_rows (user_id INTEGER NOT NULL, "
                          "day INTEGER NOT NULL, engine TEXT NOT NULL, ") +
              kColumns + ", PRIMARY KEY (user_id, day, engine))");
    db_->exec("CREATE INDEX IF NOT EXISTS usage_rows_day ON usage_rows (day)");
    db_->exec(std::string("CREATE TABLE IF NOT EXISTS usage_totals (day INTEGER NOT NULL, "
                          "engine TEXT NOT NULL, ") +
              kColumns + ", PRIMARY KEY (day, engine))");
  });
}

void SqliteUsageLedger::add(int64_t user_id, int64_t day, const std::string& engine,
                            const Usage& u) {
  db_->write([&] {
    auto bind_usage = [&](Statement& s) {
      s.bind(4, u.audio_s)
          .bind(5, u.billed_s)
          .bind(6, u.bytes)
          .bind(7, u.tokens)
          .bind(8, u.cost_usd)
          .bind(9, u.cache_saved_s)
          .bind(10, u.requests);
    };
    Statement row = db_->prepare(
        std::string("INSERT INTO usage_rows (user_id, day, engine, audio_s, billed_s, bytes, "
                    "tokens, cost_usd, cache_saved_s, requests) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                    "?7, ?8, ?9, ?10) ON CONFLICT (user_id, day, engine) ") +
        kOnConflictAdd);
    row.bind(1, user_id).bind(2, day).bind(3, engine);
    bind_usage(row);
    row.run();
    Statement total = db_->prepare(
        std::string("INSERT INTO usage_totals (day, engine, audio_s, billed_s, bytes, tokens, "
                    "cost_usd, cache_saved_s, requests) VALUES (?1, ?2, ?4, ?5, ?6, ?7, ?8, ?9, "
                    "?10) ON CONFLICT (day, engine) ") +
        kOnConflictAdd);
    total.bind(1, day).bind(2, engine);
    bind_usage(total);
    total.run();
  });
}

Usage SqliteUsageLedger::user_usage(int64_t user_id, int64_t first_day, int64_t last_day) {
  return db_->read([&] {
    Statement q = db_->prepare(std::string("SELECT ") + kSums +
                               " FROM usage_rows WHERE user_id = ?1 AND day BETWEEN ?2 AND ?3");
    q.bind_all(user_id, first_day, last_day);
    return q.step() ? usage_at(q, 0) : Usage{};
  });
}

std::map<std::string, Usage> SqliteUsageLedger::engine_usage(int64_t first_day, int64_t last_day) {
  return db_->read([&] {
    Statement q = db_->prepare(std::string("SELECT engine, ") + kSums +
                               " FROM usage_totals WHERE day BETWEEN ?1 AND ?2 GROUP BY engine");
    q.bind_all(first_day, last_day);
    std::map<std::string, Usage> out;
    while (q.step()) out[q.text_at(0)] = usage_at(q, 1);
    return out;
  });
}

std::vector<UserUsage> SqliteUsageLedger::top_users(int64_t first_day, int64_t last_day, int n) {
  return db_->read([&] {
    Statement q = db_->prepare(std::string("SELECT user_id, ") + kSums +
                               " FROM usage_rows WHERE day BETWEEN ?1 AND ?2 GROUP BY user_id "
                               "HAVING SUM(audio_s) > 0 ORDER BY SUM(audio_s) DESC, user_id "
                               "LIMIT ?3");
    q.bind_all(first_day, last_day, static_cast<int64_t>(std::max(0, n)));
    std::vector<UserUsage> out;
    while (q.step()) out.push_back({q.int_at(0), usage_at(q, 1)});
    return out;
  });
}

void SqliteUsageLedger::forget(int64_t user_id) {
  db_->write(
      [&] { db_->prepare("DELETE FROM usage_rows WHERE user_id = ?1").bind_all(user_id).run(); });
}

void SqliteUsageLedger::prune(int64_t first_kept_day) {
  db_->write([&] {
    db_->prepare("DELETE FROM usage_rows WHERE day < ?1").bind_all(first_kept_day).run();
    db_->prepare("DELETE FROM usage_totals WHERE day < ?1").bind_all(first_kept_day).run();
  });
}

}  // namespace tgscribe::store
