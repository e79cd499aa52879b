#include "common/log_line.h"

#include <fmt/format.h>

#include <cmath>
#include <ctime>
#include <iterator>
#include <nlohmann/json.hpp>

#include "common/redact.h"

namespace tgscribe {
namespace {

// nlohmann's serializer escapes quotes, backslashes and control characters and, with
// `replace`, turns invalid UTF-8 into U+FFFD instead of throwing.
std::string json_string(std::string_view s) {
  return nlohmann::json(std::string(s))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string json_value(const LogValue& v) {
  struct Visitor {
    std::string operator()(const std::string& s) const { return json_string(redact(s)); }
    std::string operator()(int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const {
      return std::isfinite(d) ? nlohmann::json(d).dump() : std::string("null");
    }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
  };
  return std::visit(Visitor{}, v);
}

int syslog_priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return 7;
    case spdlog::level::info:
      return 6;
    case spdlog::level::warn:
      return 4;
    case spdlog::level::err:
      return 3;
    case spdlog::level::critical:
      return 2;
    default:
      return 6;
  }
}

std::string_view level_name(spdlog::level::level_enum level) {
  auto name = spdlog::level::to_string_view(level);
  return std::string_view(name.data(), name.size());
}

}  // namespace

std::string rfc3339_utc_ms(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  int64_t secs = ms / 1000;
  int64_t frac = ms % 1000;
  if (frac < 0) {  // before 1970: floor, not truncate
    frac += 1000;
    --secs;
  }
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

std::string json_log_line(const LogRecord& r) {
  std::string out = fmt::format("{{\"time\":\"{}\",\"level\":{},\"msg\":{}", rfc3339_utc_ms(r.time),
                                json_string(level_name(r.level)), json_string(redact(r.message)));
  for (const auto& f : r.fields) {
    if (f.key == "time" || f.key == "level" || f.key == "msg" || f.key.empty()) continue;
    fmt::format_to(std::back_inserter(out), ",{}:{}", json_string(f.key), json_value(f.value));
  }
  out.append("}\n");
  return out;
}

std::string text_log_line(const LogRecord& r, TextStyle style) {
  std::string msg = redact(r.message);
  if (style.journald) {
    return fmt::format("<{}>{} {}\n", syslog_priority(r.level), level_name(r.level), msg);
  }
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(r.time.time_since_epoch()).count();
  std::time_t tt = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  localtime_r(&tt, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03} {} {}\n", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000,
                     level_name(r.level), msg);
}

}  // namespace tgscribe
