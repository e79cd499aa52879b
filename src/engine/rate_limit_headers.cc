#include "engine/rate_limit_headers.h"

#include <cmath>
#include <cstdlib>

#include "common/strings.h"
#include "http/http_status.h"

namespace tgscribe::engine {
namespace {

bool starts_with(const std::string& s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

std::optional<int64_t> parse_count(const std::string& v) {
  std::string t = trim(v);
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  double d = std::strtod(t.c_str(), &end);
  if (end == t.c_str() || !std::isfinite(d)) return std::nullopt;
  return static_cast<int64_t>(std::floor(d));
}

}  // namespace

void report_rate_headers(const TranscribeOptions& options, const http::Response& response) {
  if (!options.on_response) return;
  EngineResponse r;
  r.status = response.status;
  for (const auto& [name, value] : response.headers) {
    if (starts_with(name, "x-ratelimit-") || name == "retry-after")
      r.rate_headers.emplace_back(name, value);
  }
  options.on_response(r);
}

RateLimitReport parse_rate_limit(const EngineResponse& response, int64_t now_unix_ms) {
  RateLimitReport report;
  report.status = response.status;
  auto family = [&](const std::string& name) -> RateLimitFamily& {
    for (auto& f : report.families) {
      if (f.name == name) return f;
    }
    report.families.push_back(RateLimitFamily{name, {}, {}, {}});
    return report.families.back();
  };
  http::Response as_http;
  as_http.status = response.status;
  for (const auto& [name, value] : response.rate_headers) {
    std::string n = to_lower(name);
    as_http.headers.emplace_back(n, value);
    for (std::string_view kind : {"limit-", "remaining-", "reset-"}) {
      std::string prefix = "x-ratelimit-" + std::string(kind);
      if (!starts_with(n, prefix) || n.size() == prefix.size()) continue;
      RateLimitFamily& f = family(n.substr(prefix.size()));
      if (kind == "limit-") f.limit = parse_count(value);
      if (kind == "remaining-") f.remaining = parse_count(value);
      if (kind == "reset-") f.reset = http::parse_duration(value);
    }
  }
  if (response.status == 429 || response.status == 503) {
    report.retry_after = http::retry_after_of(as_http, now_unix_ms);
  }
  return report;
}

}  // namespace tgscribe::engine
