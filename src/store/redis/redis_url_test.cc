#include "store/redis/redis_url.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace tgscribe::store {
namespace {

TEST(RedisUrlTest, ParsesEveryPart) {
  RedisUrl u = parse_redis_url("redis://alice:s3cret@redis.example:6380/4");
  EXPECT_EQ(u.host, "redis.example");
  EXPECT_EQ(u.port, 6380);
  EXPECT_EQ(u.user, "alice");
  EXPECT_EQ(u.password, "s3cret");
  EXPECT_EQ(u.db, 4);
  EXPECT_EQ(u.endpoint(), "redis.example:6380");
}

TEST(RedisUrlTest, DefaultsPortAndDb) {
  RedisUrl u = parse_redis_url("redis://localhost");
  EXPECT_EQ(u.host, "localhost");
  EXPECT_EQ(u.port, 6379);
  EXPECT_EQ(u.db, 0);
  EXPECT_TRUE(u.password.empty());
  EXPECT_TRUE(u.user.empty());
}

TEST(RedisUrlTest, PasswordOnlyAndPercentEscapes) {
  RedisUrl u = parse_redis_url("redis://:p%40ss%3Aword@127.0.0.1:7000/2");
  EXPECT_TRUE(u.user.empty());
  EXPECT_EQ(u.password, "p@ss:word");
  EXPECT_EQ(u.port, 7000);
  EXPECT_EQ(u.db, 2);
}

TEST(RedisUrlTest, Ipv6Host) {
  RedisUrl u = parse_redis_url("redis://[::1]:6390/0");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 6390);
  EXPECT_EQ(u.endpoint(), "[::1]:6390");
}

void expect_invalid(const std::string& url, const std::string& needle) {
  try {
    parse_redis_url(url);
    ADD_FAILURE() << "accepted " << url;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput);
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("hunter22"), std::string::npos) << e.what();
  }
}

TEST(RedisUrlTest, RejectsBadUrlsWithoutLeakingThePassword) {
  expect_invalid("rediss://:hunter22@host:6379/0", "TLS");
  expect_invalid("http://:hunter22@host:6379/0", "redis://");
  expect_invalid("redis://:hunter22@host:notaport/0", "port");
  expect_invalid("redis://:hunter22@host:6379/x", "database");
  expect_invalid("redis://:hunter22@:6379/0", "host");
  expect_invalid("redis://:hunter22@host:70000", "port");
}

}  // namespace
}  // namespace tgscribe::store
