#include "app/jobs_view.h"

#include <fmt/format.h>
#include <time.h>

#include <algorithm>
#include <array>

#include "common/redact.h"
#include "jobs/job_payload.h"

namespace tgscribe::app {
namespace {

// UTF-8 code points in `s` (continuation bytes are not counted).
size_t code_points(std::string_view s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string utc(int64_t ms) {
  time_t t = static_cast<time_t>(ms / 1000);
  struct tm tm {};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

// "2026-11-30 13:00:05 UTC (5m ago)", "-" for 0.
std::string when(int64_t ms, int64_t now_ms) {
  if (ms <= 0) return "-";
  if (ms > now_ms) return fmt::format("{} (in {})", utc(ms), format_age(ms - now_ms));
  return fmt::format("{} ({} ago)", utc(ms), format_age(now_ms - ms));
}

std::string clock_duration(int seconds) {
  if (seconds >= 3600) {
    return fmt::format("{}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60);
  }
  return fmt::format("{}:{:02}", seconds / 60, seconds % 60);
}

std::optional<jobs::JobPayload> payload_of(const store::Job& job) {
  try {
    return jobs::payload_from_json(job.payload);
  } catch (const std::exception&) {
    return std::nullopt;  // not the bot's payload (or from a future version): shown as "?"
  }
}

}  // namespace

std::string format_age(int64_t ms) {
  int64_t s = std::max<int64_t>(0, ms) / 1000;
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m", s / 60);
  if (s < 48 * 3600) return fmt::format("{}h", s / 3600);
  return fmt::format("{}d", s / 86400);
}

std::string one_line(std::string_view text, size_t max) {
  std::string out;
  size_t n = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool starts = (c & 0xC0) != 0x80;
    if (starts && ++n > max) {
      // Cut: drop the last code point kept, to make room for the ellipsis.
      while (!out.empty() && (out.back() & 0xC0) == 0x80) out.pop_back();
      if (!out.empty()) out.pop_back();
      return out + "…";
    }
    out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  }
  return out;
}

std::string media_summary(const store::Job& job) {
  auto p = payload_of(job);
  if (!p) return "?";
  std::string s = telegram::to_string(p->media.kind);
  // append(), not " " + x: GCC 12 warns falsely (-Wrestrict) on the inlined concatenation.
  if (p->media.duration > 0) s.append(" ").append(clock_duration(p->media.duration));
  if (!p->media.file_name.empty()) s.append(" ").append(one_line(p->media.file_name, 24));
  return s;
}

std::string jobs_table(const std::vector<store::Job>& jobs, int64_t now_ms) {
  constexpr size_t kCols = 8;
  std::vector<std::array<std::string, kCols>> rows;
  rows.push_back({"ID", "STATE", "USER", "CHAT", "MEDIA", "ATTEMPTS", "AGE", "LAST ERROR"});
  for (const auto& j : jobs) {
    std::string state = store::to_string(j.state);
    if (j.cancel_requested && j.state == store::JobState::kRunning) state += " (cancelling)";
    rows.push_back({j.id, state, std::to_string(j.user_id), std::to_string(j.chat_id),
                    media_summary(j), std::to_string(j.attempts), format_age(now_ms - j.created_ms),
                    one_line(redact(j.last_error), 48)});
  }
  std::array<size_t, kCols> width{};
  for (const auto& r : rows) {
    for (size_t c = 0; c < kCols; ++c) width[c] = std::max(width[c], code_points(r[c]));
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t c = 0; c < kCols; ++c) {
      line += r[c];
      if (c + 1 < kCols) line += std::string(width[c] - code_points(r[c]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string job_details(const store::Job& j, int position, int max_retries, int64_t now_ms) {
  std::vector<std::pair<std::string, std::string>> kv;
  kv.emplace_back("id", j.id);
  kv.emplace_back("state", store::to_string(j.state));
  if (position > 0) kv.emplace_back("position", std::to_string(position));
  kv.emplace_back("user", std::to_string(j.user_id));
  kv.emplace_back("chat", std::to_string(j.chat_id));
  if (auto p = payload_of(j)) {
    kv.emplace_back("media kind", telegram::to_string(p->media.kind));
    kv.emplace_back("media name", p->media.file_name.empty() ? "-" : p->media.file_name);
    kv.emplace_back("media type", p->media.mime_type.empty() ? "-" : p->media.mime_type);
    kv.emplace_back("media size", p->media.file_size > 0
                                      ? fmt::format("{} bytes", p->media.file_size)
                                      : std::string("unknown"));
    kv.emplace_back("media duration", p->media.duration > 0 ? clock_duration(p->media.duration)
                                                            : std::string("unknown"));
    kv.emplace_back("language", p->language.empty() ? "auto" : p->language);
  } else {
    kv.emplace_back("media", "? (payload not readable)");
  }
  kv.emplace_back("priority", std::to_string(j.priority));
  std::string attempts = std::to_string(j.attempts);
  int tries = j.attempts - j.budget_base;
  if (j.budget_base > 0)
    attempts += fmt::format(
        " ({} counting against the retry budget; operator retries and pacing deferrals give claims "
        "back)",
        tries);
  if (!store::is_finished(j.state)) {
    attempts += fmt::format(", {} left", std::max(0, max_retries + 1 - tries));
  }
  kv.emplace_back("attempts", attempts);
  kv.emplace_back("created", when(j.created_ms, now_ms));
  kv.emplace_back("started", when(j.started_ms, now_ms));
  kv.emplace_back("finished", when(j.finished_ms, now_ms));
  int64_t updated = std::max({j.created_ms, j.started_ms, j.finished_ms});
  kv.emplace_back("updated", when(updated, now_ms));
  if (j.state == store::JobState::kQueued && j.not_before_ms > now_ms) {
    kv.emplace_back("not before", when(j.not_before_ms, now_ms));
  }
  kv.emplace_back("lease owner", j.worker_id.empty() ? "-" : j.worker_id);
  kv.emplace_back("lease until", j.state == store::JobState::kRunning
                                     ? when(j.lease_until_ms, now_ms)
                                     : std::string("-"));
  kv.emplace_back("cancel requested", j.cancel_requested ? "yes" : "no");
  kv.emplace_back("last error", j.last_error.empty() ? "-" : one_line(redact(j.last_error), 2000));
  size_t w = 0;
  for (const auto& [k, v] : kv) w = std::max(w, k.size());
  std::string out;
  for (const auto& [k, v] : kv)
    out += fmt::format("{}:{}{}\n", k, std::string(w - k.size() + 1, ' '), v);
  return out;
}

nlohmann::json job_json(const store::Job& j, int position) {
  nlohmann::json o = {{"id", j.id},
                      {"state", store::to_string(j.state)},
                      {"user_id", j.user_id},
                      {"chat_id", j.chat_id},
                      {"update_id", j.update_id},
                      {"priority", j.priority},
                      {"attempts", j.attempts},
                      {"budget_base", j.budget_base},
                      {"created_ms", j.created_ms},
                      {"started_ms", j.started_ms},
                      {"finished_ms", j.finished_ms},
                      {"not_before_ms", j.not_before_ms},
                      {"lease_until_ms", j.lease_until_ms},
                      {"worker_id", j.worker_id},
                      {"cancel_requested", j.cancel_requested},
                      {"last_error", redact(j.last_error)}};
  if (position > 0) o["position"] = position;
  if (auto p = payload_of(j)) {
    o["media"] = {{"kind", telegram::to_string(p->media.kind)},
                  {"file_name", p->media.file_name},
                  {"mime_type", p->media.mime_type},
                  {"file_size", p->media.file_size},
                  {"duration", p->media.duration}};
  } else {
    o["media"] = nullptr;
  }
  return o;
}

}  // namespace tgscribe::app
