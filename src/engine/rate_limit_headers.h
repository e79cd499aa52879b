#pragma once
// What engines say about their rate limits in every answer: Groq and OpenAI send
// x-ratelimit-{limit,remaining,reset}-<family> (requests, tokens; the reset as a Go duration
// like "2m59.56s") and Retry-After on a 429. The pacer (engine/pacer.h) learns from them.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/transcriber.h"
#include "http/http_client.h"

namespace tgscribe::engine {

// Hands `response`'s status and rate-limit headers to options.on_response, if set.
void report_rate_headers(const TranscribeOptions& options, const http::Response& response);

struct RateLimitFamily {
  std::string name;  // "requests", "tokens", "audio-seconds", ...
  std::optional<int64_t> limit;
  std::optional<int64_t> remaining;
  std::optional<std::chrono::milliseconds> reset;  // until the family is full again
};

struct RateLimitReport {
  long status = 0;
  std::vector<RateLimitFamily> families;
  std::optional<std::chrono::milliseconds> retry_after;  // 429/503: Retry-After or a reset hint
};

RateLimitReport parse_rate_limit(const EngineResponse& response, int64_t now_unix_ms);

}  // namespace tgscribe::engine
