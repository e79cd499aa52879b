#pragma once
// What the bot's engines were used for, per user and per UTC day, kept USAGE_RETENTION_DAYS:
// the figures behind /usage, /stats and the daily quotas. Each row is (user, day, engine) with
// additive counters; per-engine day totals are kept apart from the users' rows, so /forget
// removes a user's rows while the bill (and the global quota) stays whole.
//
// Backends follow QUEUE_TYPE: memory, SQLite (DATA_DIR/tgscribe.db), Redis (shared by every
// instance, so the global quota is one counter for all of them).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tgscribe::store {

struct Usage {
  double audio_s = 0;        // audio seconds sent to engines
  double billed_s = 0;       // what the engines bill for them
  int64_t bytes = 0;         // uploaded
  int64_t tokens = 0;        // LLM tokens
  double cost_usd = 0;       // estimated from ENGINE_PRICE_<ENGINE>
  double cache_saved_s = 0;  // audio seconds answered from the cache instead of an engine
  int64_t requests = 0;      // engine requests answered

  Usage& operator+=(const Usage& o);
};

struct UserUsage {
  int64_t user_id = 0;
  Usage usage;
};

// Days since 1970-01-01 in UTC; the ledger's day numbers.
int64_t utc_day(int64_t unix_ms);
// "YYYY-MM-DD" of a day number.
std::string day_string(int64_t day);

class UsageLedger {
 public:
  virtual ~UsageLedger() = default;

  // Adds `u` to the user's row for (day, engine) and to the engine's day total.
  virtual void add(int64_t user_id, int64_t day, const std::string& engine, const Usage& u) = 0;
  // The user's rows summed over days [first_day, last_day], all engines.
  virtual Usage user_usage(int64_t user_id, int64_t first_day, int64_t last_day) = 0;
  // Per-engine totals over [first_day, last_day] (every user, forgotten ones included).
  virtual std::map<std::string, Usage> engine_usage(int64_t first_day, int64_t last_day) = 0;
  // The `n` users with the most audio seconds over [first_day, last_day], most first.
  virtual std::vector<UserUsage> top_users(int64_t first_day, int64_t last_day, int n) = 0;
  // Removes every row of the user (/forget). Engine totals keep their share, unnamed.
  virtual void forget(int64_t user_id) = 0;
  // Removes what is older than `first_kept_day` (rows and totals).
  virtual void prune(int64_t first_kept_day) = 0;
  virtual bool healthy() { return true; }
};

// Every engine's day total summed: what the global quota counts.
Usage total_of(const std::map<std::string, Usage>& by_engine);

}  // namespace tgscribe::store
