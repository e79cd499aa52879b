#pragma once
// Turning an HTTP answer into the error kind that decides retries (common/error.h), and
// reading the server's hints about when to come back (Retry-After, x-ratelimit-reset-*).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "http/http_client.h"

namespace tgscribe::http {

// 429 -> kRateLimited; 408, 504 -> kTimeout; other 5xx -> kServer; 401/403 -> kAuth;
// other 4xx -> kClient. Only meaningful for non-2xx statuses.
ErrorKind classify_status(long status);

// Retry-After is either delta-seconds ("120") or an HTTP date; the date is turned into a delay
// from `now_unix_ms` (never negative). nullopt when unparseable.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           int64_t now_unix_ms);

// Go-style durations as Groq/OpenAI send them in x-ratelimit-reset-*: "2m59.56s", "7.66s",
// "120ms", "1h2m", also a bare number of seconds. nullopt when unparseable.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view value);

// The delay the server asked for: Retry-After first, else the largest exhausted-looking
// x-ratelimit-reset-requests / x-ratelimit-reset-tokens / x-ratelimit-reset-audio-seconds hint.
std::optional<std::chrono::milliseconds> retry_after_of(const Response& response,
                                                        int64_t now_unix_ms);

// A tgscribe::Error for a non-2xx answer: kind from classify_status, retry_after from the
// headers, and a short message "<what>: HTTP <status> <reason>" that never includes the body
// (bodies may echo our input or secrets). `what` is redacted.
Error status_error(const Response& response, std::string_view what, int64_t now_unix_ms);

// "Too Many Requests" for 429 etc.; "" for unknown codes.
const char* reason_phrase(long status);

}  // namespace tgscribe::http
