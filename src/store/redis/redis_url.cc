#include "store/redis/redis_url.h"

#include <charconv>

#include "common/error.h"
#include "common/redact.h"

namespace tgscribe::store {
namespace {

[[noreturn]] void bad(const std::string& url, const std::string& why) {
  throw Error(ErrorKind::kInvalidInput,
              "REDIS_URL " + mask_url_password(url) + " is invalid: " + why);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Passwords with '@' or ':' must be percent-encoded in a URL; decode them back.
std::string percent_decode(const std::string& s, const std::string& url) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) bad(url, "truncated %-escape");
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) bad(url, "bad %-escape");
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool parse_int(const std::string& s, int& out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

std::string RedisUrl::endpoint() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

RedisUrl parse_redis_url(const std::string& url) {
  RedisUrl out;
  const std::string scheme = "redis://";
  if (url.rfind("rediss://", 0) == 0) {
    bad(url,
        "TLS (rediss://) is not supported by this build; use redis:// on a trusted network "
        "or a TLS tunnel (e.g. stunnel) to the server");
  }
  if (url.rfind(scheme, 0) != 0) bad(url, "it must start with redis://");
  std::string rest = url.substr(scheme.size());

  // Path: "/db".
  std::string path;
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    path = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  if (auto q = path.find('?'); q != std::string::npos) path = path.substr(0, q);
  if (!path.empty()) {
    if (!parse_int(path, out.db) || out.db < 0) bad(url, "the database index must be a number");
  }

  // Userinfo: the last '@' separates it from the host (a raw '@' in a password is tolerated).
  if (auto at = rest.rfind('@'); at != std::string::npos) {
    std::string userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    if (auto colon = userinfo.find(':'); colon != std::string::npos) {
      out.user = percent_decode(userinfo.substr(0, colon), url);
      out.password = percent_decode(userinfo.substr(colon + 1), url);
    } else {
      // redis://secret@host is how several clients spell a password-only URL.
      out.password = percent_decode(userinfo, url);
    }
  }

  // Host and port; "[::1]:6379" for IPv6.
  std::string port;
  if (!rest.empty() && rest[0] == '[') {
    auto close = rest.find(']');
    if (close == std::string::npos) bad(url, "unclosed '[' in the host");
    out.host = rest.substr(1, close - 1);
    std::string after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') bad(url, "unexpected text after the host");
      port = after.substr(1);
    }
  } else if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    out.host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  } else {
    out.host = rest;
  }
  if (out.host.empty()) bad(url, "the host is missing");
  if (!port.empty() && (!parse_int(port, out.port) || out.port <= 0 || out.port > 65535)) {
    bad(url, "the port must be a number from 1 to 65535");
  }
  return out;
}

}  // namespace tgscribe::store
