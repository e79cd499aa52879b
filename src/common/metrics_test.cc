// The registry's /metrics page read back by the strict parser of tests/support, and the parser
// shown to refuse what an operator could not trust (so passing it means something).
#include "common/metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "support/prometheus_text.h"

namespace tgscribe {
namespace {

using testing::parse_prometheus_text;

// A registry with every kind of family, labels that need escaping and observations.
void fill_busy(metrics::Registry& r) {
  r.describe("events_total", "counter", "Events by kind; a \\ and a\nsecond line");
  r.counter_add("events_total", {{"kind", "a \"quoted\" \\ value\nwith a line feed"}}, 3);
  r.counter_add("events_total", {{"kind", "plain"}});
  r.describe("depth", "gauge", "Things waiting");
  r.gauge_set("depth", {}, 2.5);
  r.describe("wait_seconds", "histogram", "Time waited", {0.5, 1, 5});
  r.observe("wait_seconds", {{"queue", "a"}}, 0.2);
  r.observe("wait_seconds", {{"queue", "a"}}, 0.7);
  r.observe("wait_seconds", {{"queue", "a"}}, 100);
  r.touch("wait_seconds", {{"queue", "b"}});
}

TEST(MetricsExposition, RegistryOutputPassesTheStrictParser) {
  metrics::Registry r;
  fill_busy(r);
  auto page = parse_prometheus_text(r.render());
  ASSERT_TRUE(page.ok()) << page.errors_text() << r.render();
  ASSERT_EQ(page.families.size(), 3u);
  const auto& events = page.families.at("tgscribe_events_total");
  EXPECT_EQ(events.type, "counter");
  ASSERT_EQ(events.samples.size(), 2u);
  bool escaped_round_trip = false;
  for (const auto& s : events.samples) {
    if (s.labels.at("kind") == "a \"quoted\" \\ value\nwith a line feed") {
      escaped_round_trip = s.value == 3;
    }
  }
  EXPECT_TRUE(escaped_round_trip) << r.render();
  EXPECT_EQ(page.families.at("tgscribe_depth").samples.at(0).value, 2.5);
  const auto& wait = page.families.at("tgscribe_wait_seconds");
  EXPECT_EQ(wait.type, "histogram");
  // Two series (a, and b created empty) of 4 buckets, a sum and a count.
  EXPECT_EQ(wait.samples.size(), 12u);
  for (const auto& s : wait.samples) {
    if (s.name == "tgscribe_wait_seconds_count" && s.labels.at("queue") == "a") {
      EXPECT_EQ(s.value, 3);
    }
    if (s.name == "tgscribe_wait_seconds_bucket" && s.labels.at("queue") == "a" &&
        s.labels.at("le") == "1") {
      EXPECT_EQ(s.value, 2);
    }
  }
}

TEST(MetricsExposition, TouchCreatesZeroSeriesWithoutResettingCounts) {
  metrics::Registry r;
  r.describe("jobs_total", "counter", "Jobs");
  r.counter_add("jobs_total", {{"state", "done"}}, 5);
  r.touch("jobs_total", {{"state", "done"}});
  r.touch("jobs_total", {{"state", "failed"}});
  EXPECT_EQ(r.counter_value("jobs_total", {{"state", "done"}}), 5);
  EXPECT_NE(r.render().find("tgscribe_jobs_total{state=\"failed\"} 0\n"), std::string::npos)
      << r.render();
}

TEST(MetricsExposition, AFamilyCountedButNeverDescribedFailsTheGate) {
  metrics::Registry r;
  r.counter_add("undocumented_total");
  auto page = parse_prometheus_text(r.render());
  EXPECT_FALSE(page.ok());
  EXPECT_NE(page.errors_text().find("no # HELP"), std::string::npos) << page.errors_text();
}

// Each case is a page an exporter must not write, with the words the parser must say.
TEST(PrometheusTextParser, RefusesWhatAnOperatorCouldNotTrust) {
  struct Case {
    const char* why;
    const char* page;
    const char* expected;
  };
  const Case cases[] = {
      {"no HELP", "# TYPE a_total counter\na_total 1\n", "no # HELP"},
      {"no TYPE", "# HELP a_total A.\na_total 1\n", "no # TYPE"},
      {"sample before HELP/TYPE", "a_total 1\n# HELP a_total A.\n# TYPE a_total counter\n",
       "sample without its own"},
      {"counter without _total", "# HELP a A.\n# TYPE a counter\na 1\n", "must end in _total"},
      {"gauge with _total", "# HELP a_total A.\n# TYPE a_total gauge\na_total 1\n",
       "only counters"},
      {"negative counter", "# HELP a_total A.\n# TYPE a_total counter\na_total -1\n", ">= 0"},
      {"duplicate series",
       "# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"1\"} 1\na_total{x=\"1\"} 2\n",
       "series repeated"},
      {"family split in two",
       "# HELP a_total A.\n# TYPE a_total counter\na_total 1\n# HELP b B.\n# TYPE b gauge\nb "
       "1\n# HELP a_total A.\n",
       "continues after another family"},
      {"HELP twice", "# HELP a A.\n# HELP a A.\n# TYPE a gauge\na 1\n", "HELP repeated"},
      {"invalid metric name", "# HELP 1a A.\n# TYPE 1a gauge\n", "invalid metric name"},
      {"invalid label name", "# HELP a A.\n# TYPE a gauge\na{1x=\"v\"} 1\n", "invalid label name"},
      {"bad escape", "# HELP a A.\n# TYPE a gauge\na{x=\"\\t\"} 1\n", "bad escape"},
      {"unquoted label", "# HELP a A.\n# TYPE a gauge\na{x=v} 1\n", "not quoted"},
      {"bad value", "# HELP a A.\n# TYPE a gauge\na one\n", "invalid value"},
      {"blank line", "# HELP a A.\n\n# TYPE a gauge\na 1\n", "blank line"},
      {"other comment", "# a comment\n# HELP a A.\n# TYPE a gauge\na 1\n", "comment other"},
      {"no final newline", "# HELP a A.\n# TYPE a gauge\na 1", "line feed"},
      {"histogram without +Inf",
       "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n", "+Inf"},
      {"histogram not cumulative",
       "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} "
       "1\nh_sum 1\nh_count 1\n",
       "not cumulative"},
      {"histogram count differs",
       "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n",
       "differs from the +Inf"},
      {"histogram without sum",
       "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} "
       "2\nh_count 2\n",
       "no _sum"},
      {"histogram bounds out of order",
       "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"2\"} 0\nh_bucket{le=\"1\"} "
       "0\nh_bucket{le=\"+Inf\"} 0\nh_sum 0\nh_count 0\n",
       "do not increase"},
      {"sample of a histogram under a gauge", "# HELP a A.\n# TYPE a gauge\na_bucket 1\n",
       "sample without its own"},
  };
  for (const auto& c : cases) {
    auto page = parse_prometheus_text(c.page);
    EXPECT_FALSE(page.ok()) << c.why;
    EXPECT_NE(page.errors_text().find(c.expected), std::string::npos)
        << c.why << ": " << page.errors_text();
  }
}

TEST(PrometheusTextParser, AcceptsACleanPageAndResolvesHistogramSuffixes) {
  const char* page =
      "# HELP h_seconds H with \\\\ and \\n.\n# TYPE h_seconds histogram\n"
      "h_seconds_bucket{le=\"1\"} 1\nh_seconds_bucket{le=\"+Inf\"} 2\n"
      "h_seconds_sum 3.5\nh_seconds_count 2\n"
      "# HELP g_count A gauge whose name ends in _count.\n# TYPE g_count gauge\n"
      "g_count{a=\"x\",b=\"y\"} NaN 1700000000000\n";
  auto p = parse_prometheus_text(page);
  ASSERT_TRUE(p.ok()) << p.errors_text();
  ASSERT_NE(p.family_of("h_seconds_bucket"), nullptr);
  EXPECT_EQ(p.family_of("h_seconds_bucket")->name, "h_seconds");
  EXPECT_EQ(p.family_of("h_seconds_count")->name, "h_seconds");
  // A family's own name wins over stripping a suffix; a gauge has no _sum.
  EXPECT_EQ(p.family_of("g_count")->name, "g_count");
  EXPECT_EQ(p.family_of("g"), nullptr);
  EXPECT_EQ(p.family_of("g_count_sum"), nullptr);
  EXPECT_EQ(p.family_of("missing_total"), nullptr);
}

TEST(PrometheusTextParser, ErrorsTextListsEachErrorOnItsOwnLine) {
  auto p = parse_prometheus_text("first_total 1\nsecond_total 2\n");  // no HELP, no TYPE
  ASSERT_GE(p.errors.size(), 2u);
  std::string text = p.errors_text();
  EXPECT_EQ(static_cast<size_t>(std::count(text.begin(), text.end(), '\n')), p.errors.size());
  for (const auto& e : p.errors) EXPECT_NE(text.find(e + "\n"), std::string::npos) << e;
  EXPECT_EQ(
      parse_prometheus_text("# HELP a_total A.\n# TYPE a_total counter\na_total 1\n").errors_text(),
      "");
}

}  // namespace
}  // namespace tgscribe
