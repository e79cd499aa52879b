#include "http/http_status.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "common/redact.h"
#include "common/strings.h"

namespace tgscribe::http {

ErrorKind classify_status(long status) {
  if (status == 429) return ErrorKind::kRateLimited;
  if (status == 408 || status == 504) return ErrorKind::kTimeout;
  if (status >= 500) return ErrorKind::kServer;
  if (status == 401 || status == 403) return ErrorKind::kAuth;
  if (status >= 400) return ErrorKind::kClient;
  // 1xx/3xx that reach a caller are unexpected answers: treat like a broken server.
  return ErrorKind::kServer;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view value) {
  std::string s = trim(value);
  if (s.empty()) return std::nullopt;
  double total_ms = 0;
  size_t i = 0;
  bool any = false;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (i == start) return std::nullopt;
    double number = std::strtod(s.substr(start, i - start).c_str(), nullptr);
    size_t unit_start = i;
    while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
    std::string unit = s.substr(unit_start, i - unit_start);
    double scale;
    if (unit.empty() || unit == "s") {
      scale = 1000;
      if (unit.empty() && i != s.size()) return std::nullopt;
    } else if (unit == "ms") {
      scale = 1;
    } else if (unit == "us" || unit == "µs") {
      scale = 0.001;
    } else if (unit == "ns") {
      scale = 0.000001;
    } else if (unit == "m") {
      scale = 60'000;
    } else if (unit == "h") {
      scale = 3'600'000;
    } else {
      return std::nullopt;
    }
    total_ms += number * scale;
    any = true;
  }
  if (!any || !std::isfinite(total_ms)) return std::nullopt;
  return std::chrono::milliseconds(static_cast<int64_t>(std::ceil(total_ms)));
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           int64_t now_unix_ms) {
  std::string s = trim(value);
  if (s.empty()) return std::nullopt;
  if (std::all_of(s.begin(), s.end(),
                  [](unsigned char c) { return std::isdigit(c) || c == '.'; })) {
    return parse_duration(s);
  }
  // An HTTP date; libcurl already has a tolerant parser for all three RFC 7231 forms.
  time_t when = curl_getdate(s.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  int64_t delta = static_cast<int64_t>(when) * 1000 - now_unix_ms;
  return std::chrono::milliseconds(std::max<int64_t>(0, delta));
}

std::optional<std::chrono::milliseconds> retry_after_of(const Response& response,
                                                        int64_t now_unix_ms) {
  if (auto h = response.header("retry-after")) {
    if (auto d = parse_retry_after(*h, now_unix_ms)) return d;
  }
  std::optional<std::chrono::milliseconds> best;
  for (const char* name : {"x-ratelimit-reset-requests", "x-ratelimit-reset-tokens",
                           "x-ratelimit-reset-audio-seconds", "x-ratelimit-reset"}) {
    if (auto h = response.header(name)) {
      if (auto d = parse_duration(*h); d && (!best || *d > *best)) best = d;
    }
  }
  return best;
}

const char* reason_phrase(long status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

Error status_error(const Response& response, std::string_view what, int64_t now_unix_ms) {
  std::string message = redact(what) + ": HTTP " + std::to_string(response.status);
  if (const char* reason = reason_phrase(response.status); *reason) {
    message += " ";
    message += reason;
  }
  std::optional<std::chrono::milliseconds> retry_after;
  if (response.status == 429 || response.status == 503) {
    retry_after = retry_after_of(response, now_unix_ms);
    if (retry_after) {
      message += " (retry after " + std::to_string((retry_after->count() + 999) / 1000) + " s)";
    }
  }
  return Error(classify_status(response.status), message, retry_after);
}

}  // namespace tgscribe::http
