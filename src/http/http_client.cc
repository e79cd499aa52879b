#include "http/http_client.h"

#include "common/strings.h"

namespace tgscribe::http {

std::optional<std::string> Response::header(std::string_view name) const {
  std::string lower = to_lower(name);
  for (const auto& [key, value] : headers) {
    if (key == lower) return value;
  }
  return std::nullopt;
}

}  // namespace tgscribe::http
