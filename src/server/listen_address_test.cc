#include "server/listen_address.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace tgscribe::server {
namespace {

TEST(ListenAddress, ParsesHostAndPort) {
  auto a = parse_listen_address("127.0.0.1:9090");
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 9090);
  EXPECT_EQ(a.to_string(), "127.0.0.1:9090");
}

TEST(ListenAddress, EmptyHostMeansAllInterfaces) {
  auto a = parse_listen_address(":8443");
  EXPECT_EQ(a.host, "0.0.0.0");
  EXPECT_EQ(a.port, 8443);
}

TEST(ListenAddress, BracketedIpv6) {
  auto a = parse_listen_address("[::1]:8443");
  EXPECT_EQ(a.host, "::1");
  EXPECT_EQ(a.port, 8443);
  EXPECT_EQ(a.to_string(), "[::1]:8443");
}

TEST(ListenAddress, RejectsBadInputNamingIt) {
  for (const char* bad :
       {"8443", "host:", "host:http", "host:70000", "::1:80", "[::1]8443", "h:-1", "h:12x"}) {
    try {
      parse_listen_address(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput);
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

TEST(UrlPath, TakesThePathOnly) {
  EXPECT_EQ(url_path("https://bot.example.com/tg/hook"), "/tg/hook");
  EXPECT_EQ(url_path("https://bot.example.com:8443/tg/hook?x=1#f"), "/tg/hook");
  EXPECT_EQ(url_path("https://bot.example.com"), "/");
  EXPECT_EQ(url_path("https://bot.example.com?x=1"), "/");
  EXPECT_EQ(url_path(""), "/");
  EXPECT_EQ(url_path("https://h.example/tg/a%20b%2Fc"), "/tg/a b/c");
  EXPECT_EQ(url_path("https://h.example/tg/100%"), "/tg/100%");
}

}  // namespace
}  // namespace tgscribe::server
