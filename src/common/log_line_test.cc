// The log line writers and structured fields: JSON lines stay valid JSON and secret-free
// whatever a message or a field holds.
#include "common/log_line.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "common/log.h"
#include "common/redact.h"

namespace tgscribe {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::system_clock;

// 2021-02-03T04:05:06.789Z
Clock::time_point fixed_time() {
  return Clock::time_point(std::chrono::milliseconds(1612325106789));
}

json parse_line(const std::string& line) {
  EXPECT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line: " << line;
  // Strict: no invalid UTF-8 accepted, no exceptions swallowed.
  return json::parse(line);
}

TEST(JsonLogLine, BaseKeysFirstAndFieldsTyped) {
  LogRecord r{fixed_time(),
              spdlog::level::warn,
              "job 1: downloaded",
              {{"job_id", "abcdef0123456789"},
               {"user", int64_t{123456789012}},
               {"duration_ms", 1234},
               {"ratio", 0.25},
               {"cached", true}}};
  std::string line = json_log_line(r);
  EXPECT_EQ(line.rfind("{\"time\":\"2021-02-03T04:05:06.789Z\",\"level\":\"warning\",\"msg\":", 0),
            0u)
      << line;
  json j = parse_line(line);
  EXPECT_EQ(j["msg"], "job 1: downloaded");
  EXPECT_EQ(j["job_id"], "abcdef0123456789");
  EXPECT_EQ(j["user"], 123456789012);
  EXPECT_EQ(j["duration_ms"], 1234);
  EXPECT_EQ(j["ratio"], 0.25);
  EXPECT_EQ(j["cached"], true);
}

TEST(JsonLogLine, ValidJsonForHostileStrings) {
  std::string controls;
  for (int c = 0; c < 0x20; ++c) controls.push_back(static_cast<char>(c));
  controls += "\x7f";
  const std::vector<std::string> hostile = {
      "quote \" backslash \\ slash /",
      controls,
      std::string("nul \0 inside", 12),
      "invalid utf-8: \xff\xfe \xc3\x28 \xe2\x82 \xf0\x9f\x98",  // bad and truncated sequences
      "overlong \xc0\xaf and surrogate \xed\xa0\x80",
      "emoji 🎙 and Bahasa: ringkasan",
      "} , \"level\": \"fake\" {",
      "\n{\"time\":\"forged\"}\n",
  };
  for (const auto& s : hostile) {
    LogRecord r{fixed_time(), spdlog::level::info, s, {{"stage", s}, {s, "key is hostile too"}}};
    std::string line = json_log_line(r);
    json j;
    ASSERT_NO_THROW(j = parse_line(line)) << line;
    EXPECT_EQ(j["level"], "info");
    EXPECT_EQ(j["time"], "2021-02-03T04:05:06.789Z");
    EXPECT_TRUE(j["msg"].is_string());
    EXPECT_EQ(j["msg"], j["stage"]);  // the same text, the same escaping
    // Valid text comes back as it went in.
    if (s.find('\xff') == std::string::npos && s.find('\xc0') == std::string::npos) {
      EXPECT_EQ(j["msg"].get<std::string>(), s);
    }
  }
}

TEST(JsonLogLine, BaseKeysCannotBeOverriddenAndNonFiniteIsNull) {
  LogRecord r{fixed_time(),
              spdlog::level::err,
              "m",
              {{"time", "forged"}, {"level", "debug"}, {"msg", "other"}, {"x", 1.0 / 0.0}}};
  std::string line = json_log_line(r);
  json j = parse_line(line);
  EXPECT_EQ(j["time"], "2021-02-03T04:05:06.789Z");
  EXPECT_EQ(j["level"], "error");
  EXPECT_EQ(j["msg"], "m");
  EXPECT_TRUE(j["x"].is_null());
  // Exactly one of each key: a reader that keeps the last duplicate sees the same.
  EXPECT_EQ(line.find("\"time\"", 2), std::string::npos) << line;
}

TEST(JsonLogLine, SecretsRedactedInMessageAndFields) {
  register_secret("sk-secret-log-line-key-0123");
  std::string token_url = "https://api.telegram.org/bot123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ/getMe";
  const std::string message = "calling " + token_url + " with sk-secret-log-line-key-0123";
  LogRecord r{
      fixed_time(),
      spdlog::level::info,
      message,
      {{"url", "redis://:hunter2pass@cache:6379/0"}, {"key", "sk-secret-log-line-key-0123"}}};
  for (const std::string& line :
       {json_log_line(r), text_log_line(r, {}), text_log_line(r, {.journald = true})}) {
    EXPECT_EQ(line.find("sk-secret-log-line-key-0123"), std::string::npos) << line;
    EXPECT_EQ(line.find("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), std::string::npos) << line;
    EXPECT_EQ(line.find("hunter2pass"), std::string::npos) << line;
  }
  json j = parse_line(json_log_line(r));
  EXPECT_EQ(j["key"], "***");
  EXPECT_NE(j["msg"].get<std::string>().find("bot***"), std::string::npos) << j.dump();
}

TEST(TextLogLine, TimestampedOrJournaldPriority) {
  LogRecord r{fixed_time(), spdlog::level::warn, "disk almost full", {{"job_id", "x"}}};
  std::string text = text_log_line(r, {});
  EXPECT_TRUE(std::regex_match(
      text, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.789 warning disk almost full\n)")))
      << text;
  EXPECT_EQ(text_log_line(r, {.journald = true}), "<4>warning disk almost full\n");
  r.level = spdlog::level::err;
  EXPECT_EQ(text_log_line(r, {.journald = true}), "<3>error disk almost full\n");
  r.level = spdlog::level::info;
  EXPECT_EQ(text_log_line(r, {.journald = true}), "<6>info disk almost full\n");
}

TEST(Rfc3339, UtcWithMilliseconds) {
  EXPECT_EQ(rfc3339_utc_ms(Clock::time_point{}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(rfc3339_utc_ms(fixed_time()), "2021-02-03T04:05:06.789Z");
  EXPECT_EQ(rfc3339_utc_ms(Clock::time_point(std::chrono::milliseconds(-1))),
            "1969-12-31T23:59:59.999Z");
}

TEST(LogScope, NestsOverridesAndEndsWithItsScope) {
  EXPECT_TRUE(current_log_fields().empty());
  {
    LogScope job({{"job_id", "j1"}, {"user", 7}});
    job.set({"stage", "download"});
    {
      LogScope line({{"duration_ms", 12}, {"user", 8}});
      auto f = current_log_fields();
      ASSERT_EQ(f.size(), 4u);
      EXPECT_EQ(f[0].key, "job_id");
      EXPECT_EQ(std::get<int64_t>(f[1].value), 8);  // the inner scope's value
      EXPECT_EQ(f[2].key, "stage");
      EXPECT_EQ(f[3].key, "duration_ms");
    }
    job.set({"stage", "transcribe"});
    auto f = current_log_fields();
    ASSERT_EQ(f.size(), 3u);
    EXPECT_EQ(std::get<std::string>(f[2].value), "transcribe");
    // Another thread has its own scopes.
    size_t other = 99;
    std::thread([&] { other = current_log_fields().size(); }).join();
    EXPECT_EQ(other, 0u);
  }
  EXPECT_TRUE(current_log_fields().empty());
}

// Through spdlog as the program logs: the formatter picks up the thread's scopes.
TEST(LogScope, FieldsReachJsonLinesThroughSpdlog) {
  auto previous = spdlog::default_logger();
  std::ostringstream out;
  auto logger = std::make_shared<spdlog::logger>(
      "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  logger->set_formatter(make_log_formatter("json", false));
  logger->set_level(spdlog::level::debug);
  spdlog::set_default_logger(logger);
  {
    LogScope job({{"job_id", "abc"}, {"stage", "deliver"}});
    log_with(spdlog::level::info, {{"duration_ms", 42}}, "job {}: done", "abc");
    spdlog::debug("no duration here");
  }
  spdlog::info("outside");
  spdlog::set_default_logger(previous);

  std::istringstream lines(out.str());
  std::vector<json> parsed;
  for (std::string line; std::getline(lines, line);) parsed.push_back(json::parse(line));
  ASSERT_EQ(parsed.size(), 3u) << out.str();
  EXPECT_EQ(parsed[0]["msg"], "job abc: done");
  EXPECT_EQ(parsed[0]["job_id"], "abc");
  EXPECT_EQ(parsed[0]["stage"], "deliver");
  EXPECT_EQ(parsed[0]["duration_ms"], 42);
  EXPECT_EQ(parsed[1]["job_id"], "abc");
  EXPECT_FALSE(parsed[1].contains("duration_ms"));
  EXPECT_FALSE(parsed[2].contains("job_id"));
}

}  // namespace
}  // namespace tgscribe
