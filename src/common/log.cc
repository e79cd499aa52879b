#include "common/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "common/log_line.h"

namespace tgscribe {
namespace {

// Formats every line itself (common/log_line.h), so no call site can leak a secret, even one
// that logs a URL or an exception text it got from a library. It runs on the logging thread
// (the logger is synchronous), where that thread's LogScope fields are open.
class LineFormatter : public spdlog::formatter {
 public:
  LineFormatter(bool json, TextStyle style) : json_(json), style_(style) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    LogRecord r{msg.time, msg.level, std::string_view(msg.payload.data(), msg.payload.size()),
                current_log_fields()};
    std::string line = json_ ? json_log_line(r) : text_log_line(r, style_);
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<LineFormatter>(json_, style_);
  }

 private:
  bool json_;
  TextStyle style_;
};

}  // namespace

bool valid_log_level(std::string_view level) {
  return level == "trace" || level == "debug" || level == "info" || level == "warn" ||
         level == "warning" || level == "error" || level == "critical" || level == "off";
}

std::unique_ptr<spdlog::formatter> make_log_formatter(std::string_view format, bool journald) {
  return std::make_unique<LineFormatter>(format == "json", TextStyle{.journald = journald});
}

bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (!stream) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  if (fstat(STDERR_FILENO, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == dev &&
         static_cast<unsigned long long>(st.st_ino) == ino;
}

void init_logging(std::string_view level, std::string_view file, std::string_view format) {
  spdlog::sink_ptr sink;
  if (file.empty()) {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  } else {
    sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(std::string(file));
  }
  auto logger = std::make_shared<spdlog::logger>("tgscribe", sink);
  logger->set_formatter(make_log_formatter(format, file.empty() && stderr_is_journal()));
  std::string lv(level == "warning" ? "warn" : level);
  logger->set_level(spdlog::level::from_str(lv));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace tgscribe
