#include "http/http_status.h"

#include <gtest/gtest.h>

#include "common/redact.h"

namespace tgscribe::http {
namespace {

using std::chrono::milliseconds;

TEST(ClassifyStatus, MapsStatusesToKinds) {
  EXPECT_EQ(classify_status(429), ErrorKind::kRateLimited);
  EXPECT_EQ(classify_status(408), ErrorKind::kTimeout);
  EXPECT_EQ(classify_status(504), ErrorKind::kTimeout);
  EXPECT_EQ(classify_status(500), ErrorKind::kServer);
  EXPECT_EQ(classify_status(502), ErrorKind::kServer);
  EXPECT_EQ(classify_status(503), ErrorKind::kServer);
  EXPECT_EQ(classify_status(401), ErrorKind::kAuth);
  EXPECT_EQ(classify_status(403), ErrorKind::kAuth);
  EXPECT_EQ(classify_status(400), ErrorKind::kClient);
  EXPECT_EQ(classify_status(413), ErrorKind::kClient);
  EXPECT_EQ(classify_status(404), ErrorKind::kClient);
}

TEST(ParseDuration, ReadsGoStyleDurations) {
  EXPECT_EQ(parse_duration("2m59.56s"), milliseconds(179'560));
  EXPECT_EQ(parse_duration("7.66s"), milliseconds(7'660));
  EXPECT_EQ(parse_duration("120ms"), milliseconds(120));
  EXPECT_EQ(parse_duration("1h2m"), milliseconds(3'720'000));
  EXPECT_EQ(parse_duration("3"), milliseconds(3'000));
  EXPECT_EQ(parse_duration(" 0.5 "), milliseconds(500));
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("soon"));
  EXPECT_FALSE(parse_duration("5 parsecs"));
  EXPECT_FALSE(parse_duration("12x"));
}

TEST(ParseRetryAfter, ReadsSecondsAndHttpDates) {
  EXPECT_EQ(parse_retry_after("120", 0), milliseconds(120'000));
  // Sun, 06 Nov 1994 08:49:37 GMT = 784111777
  int64_t now_ms = 784'111'777'000 - 30'000;
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now_ms), milliseconds(30'000));
  // A date in the past means "now".
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now_ms + 90'000), milliseconds(0));
  EXPECT_FALSE(parse_retry_after("whenever", 0));
}

TEST(RetryAfterOf, PrefersRetryAfterThenRateLimitResetHeaders) {
  Response r;
  r.status = 429;
  r.headers = {{"x-ratelimit-reset-requests", "2m59.56s"}, {"x-ratelimit-reset-tokens", "7.66s"}};
  EXPECT_EQ(retry_after_of(r, 0), milliseconds(179'560));
  r.headers.emplace_back("retry-after", "3");
  EXPECT_EQ(retry_after_of(r, 0), milliseconds(3'000));
  Response none;
  EXPECT_FALSE(retry_after_of(none, 0));
}

TEST(StatusError, SummarisesWithoutBodyOrSecrets) {
  register_secret("sk-test-secret-key-1234");
  Response r;
  r.status = 429;
  r.headers = {{"retry-after", "12"}};
  r.body = R"({"error":{"message":"key sk-test-secret-key-1234 over quota, details..."}})";
  Error e = status_error(r, "groq POST http://x/bot123456:ABCDEFGHIJKLMNOPQ/y", 0);
  EXPECT_EQ(e.kind(), ErrorKind::kRateLimited);
  EXPECT_EQ(e.retry_after(), milliseconds(12'000));
  std::string m = e.what();
  EXPECT_NE(m.find("429"), std::string::npos) << m;
  EXPECT_EQ(m.find("quota"), std::string::npos) << m;
  EXPECT_EQ(m.find("ABCDEFGHIJ"), std::string::npos) << m;

  Response auth;
  auth.status = 401;
  Error a = status_error(auth, "openai", 0);
  EXPECT_EQ(a.kind(), ErrorKind::kAuth);
  EXPECT_FALSE(a.retryable());
  EXPECT_FALSE(a.retry_after());
}

}  // namespace
}  // namespace tgscribe::http
