#include "app/doctor_report.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/redact.h"

namespace tgscribe::app::doctor {
namespace {

const char* label(Status s) {
  switch (s) {
    case Status::kOk:
      return "ok";
    case Status::kWarn:
      return "warn";
    case Status::kFail:
      return "FAIL";
    case Status::kSkip:
      return "skip";
  }
  return "?";
}

CheckResult make(Status s, std::string name, std::string detail, bool configuration = false) {
  return CheckResult{s, std::move(name), std::move(detail), configuration};
}

}  // namespace

CheckResult ok(std::string name, std::string detail) {
  return make(Status::kOk, std::move(name), std::move(detail));
}
CheckResult warn(std::string name, std::string detail) {
  return make(Status::kWarn, std::move(name), std::move(detail));
}
CheckResult fail(std::string name, std::string detail) {
  return make(Status::kFail, std::move(name), std::move(detail));
}
CheckResult config_fail(std::string name, std::string detail) {
  return make(Status::kFail, std::move(name), std::move(detail), true);
}
CheckResult skip(std::string name, std::string detail) {
  return make(Status::kSkip, std::move(name), std::move(detail));
}

std::string format_line(const CheckResult& result) {
  std::string detail = redact(result.detail);
  std::replace(detail.begin(), detail.end(), '\n', ' ');
  std::replace(detail.begin(), detail.end(), '\r', ' ');
  return fmt::format("{:<6}{}: {}", label(result.status), result.name, detail);
}

std::string summary_line(const std::vector<CheckResult>& results) {
  size_t failed = 0, warned = 0, skipped = 0;
  for (const auto& r : results) {
    failed += r.status == Status::kFail;
    warned += r.status == Status::kWarn;
    skipped += r.status == Status::kSkip;
  }
  std::string line =
      failed == 0 ? fmt::format("doctor: all {} checks passed", results.size() - skipped)
                  : fmt::format("doctor: {} of {} checks failed", failed, results.size() - skipped);
  if (warned > 0) line += fmt::format(", {} warning{}", warned, warned == 1 ? "" : "s");
  if (skipped > 0) line += fmt::format(", {} skipped", skipped);
  return line;
}

int exit_code(const std::vector<CheckResult>& results) {
  bool failed = false;
  for (const auto& r : results) {
    if (r.status != Status::kFail) continue;
    if (r.configuration) return 2;
    failed = true;
  }
  return failed ? 1 : 0;
}

}  // namespace tgscribe::app::doctor
