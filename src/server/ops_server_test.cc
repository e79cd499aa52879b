#include "server/ops_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "common/error.h"
#include "common/metrics.h"

namespace tgscribe::server {
namespace {

OpsOptions test_options() {
  OpsOptions o;
  o.listen = {"127.0.0.1", 0};
  o.version = "9.8.7-test";
  return o;
}

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value;
};

struct Exposition {
  std::map<std::string, std::string> types;  // family -> type
  std::vector<Sample> samples;
};

// Parses Prometheus text format 0.0.4 strictly: every line is a comment (# HELP / # TYPE) or
// `name{label="value",...} value`; a sample must belong to a family whose TYPE came first.
// Failures are reported through gtest with the offending line.
Exposition parse_exposition(const std::string& text) {
  Exposition out;
  static const std::regex type_re(
      R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)");
  static const std::regex help_re(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*$)");
  static const std::regex sample_re(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? ([-+]?(?:[0-9.]+(?:[eE][-+]?[0-9]+)?|Inf|NaN))$)");
  static const std::regex label_re(R"(^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)\"(,|$))");
  EXPECT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, type_re)) {
      EXPECT_FALSE(out.types.count(m[1])) << "TYPE twice: " << line;
      out.types[m[1]] = m[2];
      continue;
    }
    if (std::regex_match(line, m, help_re)) continue;
    if (!std::regex_match(line, m, sample_re)) {
      ADD_FAILURE() << "not a sample line: '" << line << "'";
      continue;
    }
    Sample s;
    s.name = m[1];
    std::string value = m[4];
    s.value = value == "+Inf" || value == "Inf" ? INFINITY : std::stod(value);
    std::string labels = m[3];
    while (!labels.empty()) {
      std::smatch lm;
      if (!std::regex_search(labels, lm, label_re)) {
        ADD_FAILURE() << "bad labels in: " << line;
        break;
      }
      s.labels[lm[1]] = lm[2];
      labels = lm.suffix();
    }
    std::string family = s.name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      std::string sfx = suffix;
      if (!out.types.count(family) && family.size() > sfx.size() &&
          family.compare(family.size() - sfx.size(), sfx.size(), sfx) == 0) {
        std::string base = family.substr(0, family.size() - sfx.size());
        if (out.types.count(base) && out.types[base] == "histogram") family = base;
      }
    }
    EXPECT_TRUE(out.types.count(family)) << "sample without a TYPE: " << line;
    out.samples.push_back(s);
  }
  return out;
}

const Sample* find(const Exposition& e, const std::string& name,
                   const std::map<std::string, std::string>& labels = {}) {
  for (const auto& s : e.samples) {
    if (s.name == name && s.labels == labels) return &s;
  }
  return nullptr;
}

TEST(OpsServer, HealthzIsOk) {
  OpsServer ops(test_options());
  ops.start();
  httplib::Client client("127.0.0.1", ops.port());
  auto res = client.Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "ok\n");
}

TEST(OpsServer, ReadyzFollowsTheCheck) {
  std::atomic<bool> ready{true};
  OpsServer ops(test_options(), [&] {
    return ready ? Readiness{true, "queue: ok\ncache: ok"}
                 : Readiness{false, "queue: redis unreachable\ncache: ok"};
  });
  ops.start();
  httplib::Client client("127.0.0.1", ops.port());
  auto res = client.Get("/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "queue: ok\ncache: ok\n");
  ready = false;
  res = client.Get("/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(res->body, "queue: redis unreachable\ncache: ok\n");
}

TEST(OpsServer, ReadyzIs503WhenTheCheckThrows) {
  OpsServer ops(test_options(), []() -> Readiness { throw std::runtime_error("store closed"); });
  ops.start();
  httplib::Client client("127.0.0.1", ops.port());
  auto res = client.Get("/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_NE(res->body.find("store closed"), std::string::npos);
}

TEST(OpsServer, ReadyzWithoutACheckIsReady) {
  OpsServer ops(test_options());
  ops.start();
  httplib::Client client("127.0.0.1", ops.port());
  auto res = client.Get("/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

// Short timings so that the tests wait little; conditions are awaited, never slept for.
constexpr ProbeTiming kFast{.every = std::chrono::milliseconds(20),
                            .stall = std::chrono::milliseconds(300)};

bool eventually(const std::function<bool()>& pred) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

TEST(BackgroundReadiness, AHangingStoreFailsReadinessWithoutHoldingIt) {
  std::atomic<bool> hang{false};
  std::mutex gate;
  std::condition_variable released;
  bool release = false;
  std::atomic<int> outbox_runs{0};
  {
    BackgroundReadiness r({{"queue", true,
                            [&] {
                              if (hang) {
                                std::unique_lock lock(gate);
                                released.wait(lock, [&] { return release; });
                              }
                              return ProbeResult{};
                            }},
                           {"outbox", true,
                            [&] {
                              ++outbox_runs;
                              return ProbeResult{};
                            }}},
                          kFast);
    ASSERT_TRUE(eventually([&] { return r.check().ok; })) << r.check().details;
    hang = true;
    // The queue's probe now sits in its call: readiness turns false while check() stays quick
    // (it never waits for a probe), and the other probe goes on answering meanwhile.
    ASSERT_TRUE(eventually([&] { return !r.check().ok; }));
    EXPECT_NE(r.check().details.find("queue: FAILED (no answer for"), std::string::npos)
        << r.check().details;
    EXPECT_NE(r.check().details.find("outbox: ok"), std::string::npos);
    int runs = outbox_runs;
    EXPECT_TRUE(eventually([&] { return outbox_runs > runs + 2; }));
    hang = false;
    {
      std::lock_guard lock(gate);
      release = true;
    }
    released.notify_all();
    EXPECT_TRUE(eventually([&] { return r.check().ok; })) << r.check().details;
  }
}

TEST(BackgroundReadiness, AnOptionalDependencyIsShownButNeverFailsIt) {
  BackgroundReadiness r(
      {{"queue", true, [] { return ProbeResult{}; }},
       {"cache", false, []() -> ProbeResult { throw std::runtime_error("redis is down"); }}},
      kFast);
  ASSERT_TRUE(
      eventually([&] { return r.check().details.find("redis is down") != std::string::npos; }));
  auto got = r.check();
  EXPECT_TRUE(got.ok) << got.details;
  EXPECT_NE(got.details.find("redis is down"), std::string::npos) << got.details;
}

TEST(BackgroundReadiness, ARequiredFailureIsReportedWithItsReason) {
  std::atomic<bool> up{true};
  BackgroundReadiness r({{"intake", true,
                          [&] {
                            return up ? ProbeResult{true, "long polling"}
                                      : ProbeResult{false, "long polling stopped: boom"};
                          }}},
                        kFast);
  ASSERT_TRUE(eventually([&] { return r.check().ok; }));
  EXPECT_EQ(r.check().details, "intake: ok (long polling)\n");
  up = false;
  ASSERT_TRUE(eventually([&] { return !r.check().ok; }));
  EXPECT_EQ(r.check().details, "intake: FAILED (long polling stopped: boom)\n");
}

TEST(BackgroundReadiness, ListenerProbeSeesWhetherSomethingAccepts) {
  OpsServer ops(test_options());
  ops.start();
  EXPECT_TRUE(accepts_connections({"0.0.0.0", ops.port()}, std::chrono::seconds(2)));
  int port = ops.port();
  ops.stop();
  EXPECT_FALSE(accepts_connections({"127.0.0.1", port}, std::chrono::seconds(2)));
}

TEST(OpsServer, MetricsAreValidExpositionWithBuildInfoAndUptime) {
  auto& registry = metrics::Registry::global();
  registry.counter_add("ops_test_events_total", {{"kind", "a \"quoted\" \\ value"}}, 3);
  registry.describe("ops_test_duration_seconds", "histogram", "test histogram", {1, 5});
  registry.observe("ops_test_duration_seconds", {{"engine", "sphinx"}}, 0.5);
  registry.observe("ops_test_duration_seconds", {{"engine", "sphinx"}}, 7);

  OpsServer ops(test_options());
  ops.start();
  httplib::Client client("127.0.0.1", ops.port());
  auto res = client.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type").rfind("text/plain; version=0.0.4", 0), 0u);

  Exposition e = parse_exposition(res->body);
  const Sample* build = find(e, "tgscribe_build_info", {{"version", "9.8.7-test"}});
  ASSERT_NE(build, nullptr) << res->body;
  EXPECT_EQ(build->value, 1);
  EXPECT_EQ(e.types["tgscribe_build_info"], "gauge");
  const Sample* uptime = find(e, "tgscribe_uptime_seconds");
  ASSERT_NE(uptime, nullptr);
  EXPECT_GE(uptime->value, 0);
  const Sample* rss = find(e, "tgscribe_process_resident_memory_bytes");
  ASSERT_NE(rss, nullptr);
  EXPECT_GT(rss->value, 0);
  const Sample* fds = find(e, "tgscribe_process_open_fds");
  ASSERT_NE(fds, nullptr);
  EXPECT_GT(fds->value, 2);

  const Sample* events =
      find(e, "tgscribe_ops_test_events_total", {{"kind", R"(a \"quoted\" \\ value)"}});
  ASSERT_NE(events, nullptr) << res->body;
  EXPECT_EQ(events->value, 3);
  EXPECT_EQ(e.types["tgscribe_ops_test_duration_seconds"], "histogram");
  const Sample* le1 =
      find(e, "tgscribe_ops_test_duration_seconds_bucket", {{"engine", "sphinx"}, {"le", "1"}});
  const Sample* inf =
      find(e, "tgscribe_ops_test_duration_seconds_bucket", {{"engine", "sphinx"}, {"le", "+Inf"}});
  const Sample* count = find(e, "tgscribe_ops_test_duration_seconds_count", {{"engine", "sphinx"}});
  ASSERT_TRUE(le1 && inf && count) << res->body;
  EXPECT_EQ(le1->value, 1);
  EXPECT_EQ(inf->value, 2);
  EXPECT_EQ(count->value, 2);
}

TEST(OpsServer, UnknownPathIs404AndOtherMethods405) {
  OpsServer ops(test_options());
  ops.start();
  httplib::Client client("127.0.0.1", ops.port());
  auto res = client.Get("/nope");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  res = client.Post("/healthz", "x", "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);
}

TEST(OpsServer, BindFailureNamesTheAddress) {
  OpsServer first(test_options());
  first.start();
  auto options = test_options();
  options.listen.port = first.port();
  OpsServer second(options);
  try {
    second.start();
    FAIL() << "second server bound a port in use";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(first.port())),
              std::string::npos)
        << e.what();
  }
  // The first one still serves.
  httplib::Client client("127.0.0.1", first.port());
  auto res = client.Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST(OpsServer, OptionsFromConfig) {
  config::Config c;
  c.http_listen = "0.0.0.0:9191";
  auto o = OpsOptions::from_config(c, "1.0.0");
  EXPECT_EQ(o.listen.to_string(), "0.0.0.0:9191");
  EXPECT_EQ(o.version, "1.0.0");
  c.http_listen = "nonsense";
  EXPECT_THROW(OpsOptions::from_config(c, "1.0.0"), Error);
}

}  // namespace
}  // namespace tgscribe::server
