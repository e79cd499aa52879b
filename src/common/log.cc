#include "common/log.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <memory>
#include <mutex>

#include "common/redact.h"

namespace tgscribe {
namespace {

// Redacts the formatted line before it reaches the real sink: no call site can leak a secret,
// even one that logs a URL or an exception text it got from a library.
class RedactingSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit RedactingSink(spdlog::sink_ptr inner) : inner_(std::move(inner)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string clean = redact(std::string_view(msg.payload.data(), msg.payload.size()));
    spdlog::details::log_msg copy(msg.time, msg.source, msg.logger_name, msg.level, clean);
    inner_->log(copy);
  }
  void flush_() override { inner_->flush(); }

 private:
  spdlog::sink_ptr inner_;
};

}  // namespace

bool valid_log_level(std::string_view level) {
  return level == "trace" || level == "debug" || level == "info" || level == "warn" ||
         level == "warning" || level == "error" || level == "critical" || level == "off";
}

void init_logging(std::string_view level, std::string_view file) {
  spdlog::sink_ptr inner;
  if (file.empty()) {
    inner = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  } else {
    inner = std::make_shared<spdlog::sinks::basic_file_sink_mt>(std::string(file));
  }
  auto sink = std::make_shared<RedactingSink>(inner);
  auto logger = std::make_shared<spdlog::logger>("tgscribe", sink);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  std::string lv(level == "warning" ? "warn" : level);
  logger->set_level(spdlog::level::from_str(lv));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace tgscribe
