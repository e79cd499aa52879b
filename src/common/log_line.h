#pragma once
// How one log line is written, in each LOG_FORMAT. Both redact (common/redact.h) the message
// and every string field: what reaches the sink is already safe.
#include <spdlog/common.h>

#include <chrono>
#include <string>
#include <string_view>

#include "common/log_fields.h"

namespace tgscribe {

struct LogRecord {
  std::chrono::system_clock::time_point time;
  spdlog::level::level_enum level = spdlog::level::info;
  std::string_view message;
  LogFields fields;
};

// One JSON object and "\n": {"time":"2026-01-02T03:04:05.678Z","level":"info","msg":"…",
// <fields>…}. Valid JSON whatever the message holds: control characters are escaped, invalid
// UTF-8 becomes U+FFFD, a non-finite number is null, a field named like a base key is
// dropped (the base key wins). Integers stay numbers (user and chat ids fit a double's
// 53 bits; a 64-bit value may lose precision in JavaScript readers, not in jq 1.7+).
std::string json_log_line(const LogRecord& record);

struct TextStyle {
  // journald adds its own timestamp; a "<N>" syslog prefix gives it the line's priority.
  bool journald = false;
};

// "2026-01-02T03:04:05.678 info message\n" (local time), or "<6>info message\n" for journald.
// Fields are not repeated in text: the message already names its job.
std::string text_log_line(const LogRecord& record, TextStyle style);

// RFC 3339 in UTC with milliseconds: "2026-01-02T03:04:05.678Z".
std::string rfc3339_utc_ms(std::chrono::system_clock::time_point t);

}  // namespace tgscribe
