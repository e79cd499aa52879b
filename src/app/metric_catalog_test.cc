// The catalog alone, on a fresh registry: what /metrics shows before anything happened.
#include "app/metric_catalog.h"

#include <gtest/gtest.h>

#include "common/metrics.h"
#include "support/grafana_dashboard.h"
#include "support/prometheus_text.h"
#include "support/test_util.h"

namespace tgscribe::app {
namespace {

using testing::parse_prometheus_text;

config::Config config_with(const std::string& transcriber, std::vector<std::string> fallback,
                           const std::string& role) {
  config::Config c;
  c.transcriber = transcriber;
  c.transcriber_fallback = std::move(fallback);
  c.bot_role = role;
  return c;
}

// The catalog fills the process-wide registry (what /metrics renders); the tests read it
// back, so they hold whatever else this test binary counted before.
testing::PromExposition declared(const config::Config& c) {
  declare_bot_metrics(c);
  return parse_prometheus_text(metrics::Registry::global().render());
}

TEST(MetricCatalog, EveryFamilyHasHelpTypeAndPassesTheStrictParser) {
  for (const std::string role : {"all", "ingest", "worker"}) {
    auto page = declared(config_with("groq", {"sphinx"}, role));
    EXPECT_TRUE(page.ok()) << role << ":\n" << page.errors_text();
    EXPECT_GE(page.families.size(), 20u);
  }
}

// Process gauges are set by the ops server, every other family here; the API errors' code is
// only known from Telegram's answer, so that family waits for its first error; the text
// model's tokens name its provider, and this configuration has none.
TEST(MetricCatalog, KnownLabelValuesExistBeforeAnyEvent) {
  auto page = declared(config_with("auto", {}, "all"));
  ASSERT_TRUE(page.ok()) << page.errors_text();
  const std::set<std::string> set_elsewhere = {"tgscribe_build_info",
                                               "tgscribe_process_start_time_seconds",
                                               "tgscribe_uptime_seconds",
                                               "tgscribe_process_resident_memory_bytes",
                                               "tgscribe_process_open_fds",
                                               "tgscribe_telegram_api_errors_total",
                                               "tgscribe_http_connections_refused_total",
                                               "tgscribe_llm_tokens_total"};
  for (const auto& [name, f] : page.families) {
    if (set_elsewhere.count(name)) continue;
    EXPECT_FALSE(f.samples.empty()) << name << " has no series before its first event";
  }
  auto has = [&](const std::string& family, const std::map<std::string, std::string>& labels) {
    for (const auto& s : page.families.at(family).samples) {
      if (s.labels == labels) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("tgscribe_updates_total", {{"source", "webhook"}}));
  EXPECT_TRUE(has("tgscribe_updates_total", {{"source", "polling"}}));
  EXPECT_TRUE(has("tgscribe_jobs_total", {{"state", "delivered"}}));
  EXPECT_TRUE(has("tgscribe_webhook_requests_total", {{"code", "401"}}));
  EXPECT_TRUE(has("tgscribe_cache_requests_total", {{"key", "file"}, {"result", "hit"}}));
  // TRANSCRIBER=auto without keys: the embedded engine.
  EXPECT_TRUE(has("tgscribe_audio_seconds_total", {{"engine", "sphinx"}}));
  EXPECT_TRUE(has("tgscribe_engine_errors_total", {{"engine", "sphinx"}, {"kind", "timeout"}}));
}

TEST(MetricCatalog, DeclaringAgainKeepsWhatWasCounted) {
  auto c = config_with("groq", {}, "all");
  declare_bot_metrics(c);
  auto& r = metrics::Registry::global();
  double before = r.counter_value("jobs_total", {{"state", "retried"}});
  r.counter_add("jobs_total", {{"state", "retried"}}, 4);
  declare_bot_metrics(c);
  EXPECT_EQ(r.counter_value("jobs_total", {{"state", "retried"}}), before + 4);
}

TEST(MetricCatalog, EnginesArePrimaryThenFallbacksWithoutDuplicates) {
  EXPECT_EQ(configured_engines(config_with("groq", {"deepgram", "groq", "sphinx"}, "all")),
            (std::vector<std::string>{"groq", "deepgram", "sphinx"}));
  auto c = config_with("auto", {}, "all");
  c.openai_api_key = "sk-test";
  EXPECT_EQ(configured_engines(c), (std::vector<std::string>{"openai"}));
}

// Every family the dashboard queries is declared by the catalog, whatever the mode.
TEST(MetricCatalog, CoversEveryMetricOfTheGrafanaDashboard) {
  auto names = testing::metric_names_in_dashboard(
      testing::read_file(std::string(TGSCRIBE_SOURCE_DIR) + "/deploy/grafana-dashboard.json"));
  ASSERT_GE(names.size(), 10u) << "the dashboard's expressions were not found";
  auto page = declared(config_with("auto", {}, "worker"));
  for (const auto& n : names) EXPECT_NE(page.family_of(n), nullptr) << n;
}

}  // namespace
}  // namespace tgscribe::app
