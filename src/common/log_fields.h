#pragma once
// Structured fields for log lines: with LOG_FORMAT=json every line carries the fields of the
// scopes open on its thread (a job's id, user, chat and stage) plus any given for that line
// (duration_ms), so `jq 'select(.job_id == "…")'` follows one job through the log.
//
// Scopes are per thread because the logger is synchronous: the line is written on the
// thread that logs it, where its job's scope is open. spdlog 1.10 (Debian 12) has no MDC.
#include <spdlog/spdlog.h>

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tgscribe {

using LogValue = std::variant<std::string, int64_t, double, bool>;

struct LogField {
  std::string key;
  LogValue value;

  LogField(std::string k, const std::string& v) : key(std::move(k)), value(v) {}
  LogField(std::string k, std::string_view v) : key(std::move(k)), value(std::string(v)) {}
  LogField(std::string k, const char* v) : key(std::move(k)), value(std::string(v)) {}
  LogField(std::string k, bool v) : key(std::move(k)), value(v) {}
  template <std::integral T>
  requires(!std::same_as<T, bool>) LogField(std::string k, T v)
      : key(std::move(k)), value(static_cast<int64_t>(v)) {}
  template <std::floating_point T>
  LogField(std::string k, T v) : key(std::move(k)), value(static_cast<double>(v)) {}
};

using LogFields = std::vector<LogField>;

// Adds `fields` to every line this thread logs while the scope lives. Scopes nest; a key set
// by an inner scope hides the outer one's. Not copyable or movable: it must end where it began.
class LogScope {
 public:
  explicit LogScope(LogFields fields);
  ~LogScope();
  LogScope(const LogScope&) = delete;
  LogScope& operator=(const LogScope&) = delete;

  // Sets (or replaces) one field of this scope, e.g. the job's stage as it moves on.
  void set(LogField field);

 private:
  friend LogFields current_log_fields();
  LogFields fields_;
  const LogScope* outer_;
};

// The fields of the scopes open on this thread, outermost first, each key once (the
// innermost value).
LogFields current_log_fields();

// One line with `fields` on top of the thread's scopes:
//   log_with(spdlog::level::info, {{"duration_ms", 1200}}, "job {}: done", id);
template <typename... Args>
void log_with(spdlog::level::level_enum level, LogFields fields, fmt::format_string<Args...> format,
              Args&&... args) {
  if (!spdlog::should_log(level)) return;
  LogScope scope(std::move(fields));
  spdlog::log(level, format, std::forward<Args>(args)...);
}

}  // namespace tgscribe
