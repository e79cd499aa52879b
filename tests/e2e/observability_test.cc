// What an operator reads, through the real binary: /metrics at the very first scrape in every
// mode (polling, webhook; roles all, ingest, worker) passes the strict exposition parser and
// has every series the Grafana dashboard queries; LOG_FORMAT=json makes every stderr line a
// JSON object, and a job's lines carry its id and stage; a bad LOG_FORMAT is exit 2.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "e2e/bot_deployment.h"
#include "support/grafana_dashboard.h"
#include "support/prometheus_text.h"

namespace tgscribe {
namespace {

using json = nlohmann::json;
using std::chrono::seconds;
using testing::BotDeployment;
using testing::PromExposition;

std::string scrape(int port) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(2);
  c.set_read_timeout(5);
  auto r = c.Get("/metrics");
  return r && r->status == 200 ? r->body : std::string();
}

std::set<std::string> dashboard_metrics() {
  return testing::metric_names_in_dashboard(
      testing::read_file(std::string(TGSCRIBE_SOURCE_DIR) + "/deploy/grafana-dashboard.json"));
}

// A family whose label values are open (Telegram's error code) has no series until its first
// event; it must still be declared (HELP and TYPE) from the start.
const std::set<std::string> kOpenLabelFamilies = {"tgscribe_telegram_api_errors_total"};

struct Mode {
  const char* name;
  std::map<std::string, std::string> env;
};

class FirstScrape : public ::testing::TestWithParam<Mode> {};

TEST_P(FirstScrape, IsStrictAndHasEverySeriesOfTheDashboard) {
  const Mode& mode = GetParam();
  BotDeployment d;
  d.start("bot", mode.env);
  ASSERT_TRUE(d.wait_healthy("bot")) << d.logs();
  // The first scrape, as Prometheus makes it right after a (re)start.
  std::string text = scrape(d.proc("bot").ops_port);
  ASSERT_FALSE(text.empty()) << d.logs();

  PromExposition page = testing::parse_prometheus_text(text);
  EXPECT_TRUE(page.ok()) << mode.name << ":\n" << page.errors_text() << text;

  auto names = dashboard_metrics();
  ASSERT_GE(names.size(), 10u) << "no metric names found in the dashboard's expressions";
  for (const auto& name : names) {
    const testing::PromFamily* f = page.family_of(name);
    ASSERT_NE(f, nullptr) << mode.name << ": the dashboard queries " << name
                          << ", absent from /metrics:\n"
                          << text;
    if (kOpenLabelFamilies.count(f->name)) continue;
    EXPECT_FALSE(f->samples.empty())
        << mode.name << ": " << f->name << " is declared but has no series:\n"
        << text;
  }
  // Within a family every series has the same label names (a histogram's "le" aside): a
  // series missing one (a stray {kind="prompt"} beside {provider=...,kind="prompt"}) sums
  // into nothing an operator can read and shows up as an empty label on a dashboard.
  for (const auto& [name, f] : page.families) {
    std::set<std::string> first;
    for (size_t i = 0; i < f.samples.size(); ++i) {
      std::set<std::string> names;
      for (const auto& [label, value] : f.samples[i].labels) {
        if (label != "le") names.insert(label);
      }
      if (i == 0) {
        first = names;
        continue;
      }
      EXPECT_EQ(names, first) << mode.name << ": " << name << " mixes label sets:\n" << text;
    }
  }
  // CONTRACT.md's minimum, with the labels it names.
  ASSERT_NE(page.family_of("tgscribe_jobs_total"), nullptr);
  bool delivered = false;
  for (const auto& s : page.family_of("tgscribe_jobs_total")->samples) {
    delivered |= s.labels.count("state") && s.labels.at("state") == "delivered";
  }
  EXPECT_TRUE(delivered) << text;
}

INSTANTIATE_TEST_SUITE_P(
    Modes, FirstScrape,
    ::testing::Values(Mode{"polling", {}},
                      Mode{"webhook", {{"WEBHOOK_URL", "https://bot.example.org/hook"}}},
                      Mode{"ingest", {{"BOT_ROLE", "ingest"}}},
                      Mode{"worker", {{"BOT_ROLE", "worker"}}}),
    [](const ::testing::TestParamInfo<Mode>& i) { return std::string(i.param.name); });

// promtool is the reference linter, but it ships only with the Prometheus server package
// (~100 MB), which tgscribe does not install: run it when an operator's machine has it.
TEST(FirstScrapePromtool, PassesPromtoolCheckMetrics) {
  if (!testing::have_command("promtool")) {
    GTEST_SKIP() << "promtool is not installed (Debian package prometheus, ~100 MB, not a "
                    "dependency); the strict parser in FirstScrape is the gate";
  }
  BotDeployment d;
  d.start("bot", {{"WEBHOOK_URL", "https://bot.example.org/hook"}});
  ASSERT_TRUE(d.wait_healthy("bot")) << d.logs();
  std::string text = scrape(d.proc("bot").ops_port);
  ASSERT_FALSE(text.empty());
  auto r = testing::run_process({"promtool", "check", "metrics"}, {}, text, seconds(30));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out + r.err, "") << "promtool lint findings";
}

// The log of one process, minus the "=== run" headers BotDeployment writes between runs.
std::vector<std::string> log_lines(const std::string& log) {
  std::vector<std::string> out;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("=== run ", 0) == 0) continue;
    out.push_back(line);
  }
  return out;
}

TEST(JsonLogs, EveryLineIsJsonAndAJobsLinesCarryItsIdAndStage) {
  BotDeployment d;
  d.start("bot", {{"LOG_FORMAT", "json"}});
  ASSERT_TRUE(d.wait_healthy("bot")) << d.logs();
  auto file = d.add_voice(1);
  d.push_voice(4242, file);
  ASSERT_TRUE(testing::eventually([&] { return d.answered(4242); }, seconds(60))) << d.logs();
  // Everything the outbox sent is recorded before the answer counts as seen; stop cleanly so
  // the log is complete.
  EXPECT_EQ(d.stop("bot"), 0) << d.logs();

  const std::regex time_re(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
  std::vector<json> lines;
  for (const auto& line : log_lines(d.log_of("bot"))) {
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(j.is_discarded()) << "not JSON: " << line;
    ASSERT_TRUE(j.is_object()) << line;
    ASSERT_TRUE(j.contains("time") && j["time"].is_string()) << line;
    EXPECT_TRUE(std::regex_match(j["time"].get<std::string>(), time_re)) << line;
    ASSERT_TRUE(j.contains("level") && j["level"].is_string()) << line;
    ASSERT_TRUE(j.contains("msg") && j["msg"].is_string()) << line;
    EXPECT_EQ(line.find(d.tg.token()), std::string::npos) << "the token leaked: " << line;
    lines.push_back(std::move(j));
  }
  ASSERT_GE(lines.size(), 5u) << d.logs();

  // The job, as intake logged it.
  std::string job_id;
  for (const auto& j : lines) {
    if (j["msg"].get<std::string>().find("queued for user 4242") != std::string::npos) {
      ASSERT_TRUE(j.contains("job_id")) << j.dump();
      job_id = j["job_id"].get<std::string>();
      EXPECT_EQ(j.value("user", int64_t{0}), 4242) << j.dump();
      EXPECT_EQ(j.value("chat", int64_t{0}), 4242) << j.dump();
      EXPECT_TRUE(j.contains("update_id")) << j.dump();
    }
  }
  ASSERT_FALSE(job_id.empty()) << d.logs();

  // Every line about the job ("job <short id>: …") carries its full id and a stage; the
  // stages met follow the job from intake to the outbox.
  const std::string prefix = "job " + job_id.substr(0, 8) + ":";
  std::set<std::string> stages;
  size_t about_job = 0;
  bool timed = false;
  for (const auto& j : lines) {
    bool tagged = j.contains("job_id") && j["job_id"] == job_id;
    if (j["msg"].get<std::string>().rfind(prefix, 0) == 0) {
      ++about_job;
      EXPECT_TRUE(tagged) << j.dump();
    }
    if (!tagged) continue;
    ASSERT_TRUE(j.contains("stage") && j["stage"].is_string()) << j.dump();
    stages.insert(j["stage"].get<std::string>());
    timed |= j.contains("duration_ms") && j["duration_ms"].is_number_integer();
  }
  EXPECT_GE(about_job, 4u) << d.logs();
  for (const char* s : {"intake", "claim", "download", "transcribe", "deliver", "outbox"}) {
    EXPECT_TRUE(stages.count(s)) << "no line of the job with stage " << s << "\n" << d.logs();
  }
  EXPECT_TRUE(timed) << "no duration_ms on the job's lines\n" << d.logs();
}

// After real work the page is still clean: families counted on the job path (engine, cache,
// outbox) were declared with their HELP, and the histograms agree with themselves.
TEST(JsonLogs, MetricsStayStrictAfterAJob) {
  BotDeployment d;
  d.start("bot", {{"LOG_FORMAT", "json"}});
  ASSERT_TRUE(d.wait_healthy("bot")) << d.logs();
  d.push_voice(5151, d.add_voice(2));
  ASSERT_TRUE(testing::eventually([&] { return d.answered(5151); }, seconds(60))) << d.logs();
  std::string text = scrape(d.proc("bot").ops_port);
  PromExposition page = testing::parse_prometheus_text(text);
  EXPECT_TRUE(page.ok()) << page.errors_text() << text;
  ASSERT_NE(page.family_of("tgscribe_job_duration_seconds_count"), nullptr) << text;
  double count = 0;
  for (const auto& s : page.family_of("tgscribe_job_duration_seconds")->samples) {
    if (s.name == "tgscribe_job_duration_seconds_count") count += s.value;
  }
  EXPECT_EQ(count, 1) << text;
}

// Under systemd, stderr is the journal's stream (JOURNAL_STREAM=<dev>:<inode> of it): the
// journal stamps the time itself and reads the level from a "<N>" syslog prefix.
TEST(LogFormat, TextToTheJournalHasPriorityPrefixesAndNoTimestamp) {
  BotDeployment d;
  auto log = d.dir / "bot.log";
  testing::write_file(log, "");
  struct stat st {};
  ASSERT_EQ(stat(log.c_str(), &st), 0);
  std::string stream = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  d.start("bot", {{"JOURNAL_STREAM", stream}});
  ASSERT_TRUE(d.wait_healthy("bot")) << d.logs();
  EXPECT_EQ(d.stop("bot"), 0) << d.logs();
  const std::regex journal_line(R"(<[2-7]>(trace|debug|info|warning|error|critical) \S.*)");
  auto lines = log_lines(d.log_of("bot"));
  ASSERT_GE(lines.size(), 3u) << d.logs();
  for (const auto& line : lines) EXPECT_TRUE(std::regex_match(line, journal_line)) << line;
}

TEST(LogFormat, AnUnknownValueIsAConfigurationErrorExit2) {
  testing::TempDir dir;
  auto r = testing::run_process({testing::tgscribe_binary(), "bot"},
                                {{"TELEGRAM_BOT_TOKEN", "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"},
                                 {"TELEGRAM_API_URL", "http://127.0.0.1:1"},
                                 {"LOG_FORMAT", "bogus"},
                                 {"ENV_FILE", ""},
                                 {"DATA_DIR", (dir / "data").string()},
                                 {"HTTP_LISTEN", "127.0.0.1:0"}},
                                "", seconds(10), dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("LOG_FORMAT"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("bogus"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tgscribe
