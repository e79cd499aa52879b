#include "http/http_client.h"

#include <algorithm>

#include "common/strings.h"

namespace tgscribe::http {

std::chrono::milliseconds time_at_rate(int64_t bytes, int64_t bytes_per_s) {
  if (bytes_per_s <= 0 || bytes <= 0) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(bytes * 1000 / bytes_per_s);
}

std::chrono::milliseconds TransferLimits::deadline_for(int64_t bytes) const {
  return base + time_at_rate(bytes, min_rate_bytes_per_s);
}

std::optional<std::string> Response::header(std::string_view name) const {
  std::string lower = to_lower(name);
  for (const auto& [key, value] : headers) {
    if (key == lower) return value;
  }
  return std::nullopt;
}

}  // namespace tgscribe::http
