#include "common/redact.h"

#include <algorithm>
#include <mutex>
#include <regex>
#include <shared_mutex>
#include <vector>

namespace tgscribe {
namespace {

std::shared_mutex g_mutex;
std::vector<std::string>& secrets() {
  static std::vector<std::string> list;
  return list;
}

}  // namespace

void register_secret(std::string_view secret) {
  if (secret.size() < 4) return;  // too short to redact without mangling ordinary text
  std::unique_lock lock(g_mutex);
  auto& list = secrets();
  if (std::find(list.begin(), list.end(), secret) == list.end()) list.emplace_back(secret);
  // Longest first, so a secret that contains another is replaced whole.
  std::sort(list.begin(), list.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string mask_url_password(std::string_view url) {
  static const std::regex re(R"(([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:)([^@\s]+)@)");
  return std::regex_replace(std::string(url), re, "$1***@");
}

std::string redact(std::string_view text) {
  std::string out(text);
  {
    std::shared_lock lock(g_mutex);
    for (const auto& s : secrets()) {
      for (size_t pos = out.find(s); pos != std::string::npos; pos = out.find(s, pos + 3)) {
        out.replace(pos, s.size(), "***");
      }
    }
  }
  static const std::regex token_re(R"(bot[0-9]{3,}:[A-Za-z0-9_-]{10,})");
  out = std::regex_replace(out, token_re, "bot***");
  return mask_url_password(out);
}

std::string mask_secret(std::string_view secret) {
  if (secret.empty()) return "(not set)";
  if (secret.size() < 12) return "*** (set)";
  return std::string(secret.substr(0, 3)) + "…" + std::string(secret.substr(secret.size() - 2)) +
         " (set, " + std::to_string(secret.size()) + " chars)";
}

}  // namespace tgscribe
