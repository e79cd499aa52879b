#include <gtest/gtest.h>

#include <random>

#include "common/error.h"
#include "common/metrics.h"
#include "common/redact.h"
#include "common/sha256.h"
#include "common/strings.h"
#include "support/test_util.h"

namespace tgscribe {
namespace {

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(Sha256::of(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256::of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, StreamingEqualsOneShotAndMatchesOpenssl) {
  std::mt19937 rng(7);
  std::string data(1 << 20, '\0');
  for (auto& c : data) c = static_cast<char>(rng());
  Sha256 h;
  size_t off = 0, step = 1;
  while (off < data.size()) {
    size_t n = std::min(step, data.size() - off);
    h.update(data.data() + off, n);
    off += n;
    step = step * 3 + 1;
  }
  std::string streamed = h.hex_digest();
  EXPECT_EQ(streamed, Sha256::of(data));
  testing::TempDir dir;
  testing::write_file(dir / "blob", data);
  EXPECT_EQ(sha256_file((dir / "blob").string()), streamed);
  if (testing::have_command("openssl")) {
    auto r = testing::run_process({"openssl", "dgst", "-sha256", (dir / "blob").string()});
    EXPECT_NE(r.out.find(streamed), std::string::npos) << r.out;
  }
}

TEST(Redact, RegisteredSecretsAndTokensAndUrlPasswords) {
  register_secret("s3cr3t-key-value");
  EXPECT_EQ(redact("auth failed for s3cr3t-key-value!"), "auth failed for ***!");
  EXPECT_EQ(redact("https://api.telegram.org/bot987654:AAAAAAAAAAAAAAAAAAAAAAAAAAA/getMe"),
            "https://api.telegram.org/bot***/getMe");
  EXPECT_EQ(redact("redis://user:pw123@host:6379/0"), "redis://user:***@host:6379/0");
  EXPECT_EQ(redact("plain text stays"), "plain text stays");
  EXPECT_EQ(mask_secret(""), "(not set)");
  EXPECT_EQ(mask_secret("short").find("short"), std::string::npos);
  EXPECT_EQ(mask_secret("gsk_0123456789abcdef").find("0123456789abcdef"), std::string::npos);
}

TEST(Strings, WithoutTrailingSlashesKeepsThePathAndDropsOnlyTheEnd) {
  EXPECT_EQ(without_trailing_slashes("https://api.groq.com/openai/v1//"),
            "https://api.groq.com/openai/v1");
  EXPECT_EQ(without_trailing_slashes("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
  EXPECT_EQ(without_trailing_slashes("///"), "");
  EXPECT_EQ(without_trailing_slashes(""), "");
}

TEST(Strings, SplitTrimStemExtension) {
  EXPECT_EQ(split_list(" a, b,,c ,"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(split_list("").empty());
  EXPECT_EQ(trim("  x y \n"), "x y");
  EXPECT_EQ(file_stem("/a/b/meeting.final.ogg"), "meeting.final");
  EXPECT_EQ(file_stem(".hidden"), ".hidden");
  EXPECT_EQ(file_extension("x/VOICE.OGA"), "oga");
  EXPECT_EQ(file_extension("noext"), "");
}

TEST(ErrorKinds, RetryableOnlyForTransientFailures) {
  EXPECT_TRUE(Error(ErrorKind::kRateLimited, "x").retryable());
  EXPECT_TRUE(Error(ErrorKind::kServer, "x").retryable());
  EXPECT_TRUE(Error(ErrorKind::kTimeout, "x").retryable());
  EXPECT_FALSE(Error(ErrorKind::kClient, "x").retryable());
  EXPECT_FALSE(Error(ErrorKind::kAuth, "x").retryable());
  EXPECT_STREQ(to_string(ErrorKind::kRateLimited), "rate_limited");
}

TEST(Metrics, RendersPrometheusTextFormat) {
  metrics::Registry r;
  r.describe("jobs_total", "counter", "Jobs by final state");
  r.counter_add("jobs_total", {{"state", "delivered"}});
  r.counter_add("jobs_total", {{"state", "delivered"}}, 2);
  r.gauge_set("queue_depth", {}, 4);
  r.describe("job_duration_seconds", "histogram", "Job duration", {1, 10});
  r.observe("job_duration_seconds", {}, 0.5);
  r.observe("job_duration_seconds", {}, 5);
  r.observe("job_duration_seconds", {}, 50);
  std::string text = r.render();
  EXPECT_NE(text.find("# TYPE tgscribe_jobs_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("tgscribe_jobs_total{state=\"delivered\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("tgscribe_queue_depth 4\n"), std::string::npos);
  EXPECT_NE(text.find("tgscribe_job_duration_seconds_bucket{le=\"1\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("tgscribe_job_duration_seconds_bucket{le=\"10\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("tgscribe_job_duration_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("tgscribe_job_duration_seconds_count 3\n"), std::string::npos);
  EXPECT_EQ(r.counter_value("jobs_total", {{"state", "delivered"}}), 3);
}

}  // namespace
}  // namespace tgscribe
