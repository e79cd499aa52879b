#pragma once
// REDIS_URL parsing: redis://[user:password@]host[:port][/db]. TLS (rediss://) is refused with
// a clear message because Debian's hiredis 0.14 has no TLS support.
#include <string>

namespace tgscribe::store {

struct RedisUrl {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string user;      // empty: AUTH with the password only (requirepass)
  std::string password;  // empty: no AUTH
  int db = 0;

  // "host:port", safe for logs and error messages (never the password).
  std::string endpoint() const;
};

// Throws tgscribe::Error(kInvalidInput) naming what is wrong; the message never contains the
// password. Percent-escapes in user and password are decoded.
RedisUrl parse_redis_url(const std::string& url);

}  // namespace tgscribe::store
